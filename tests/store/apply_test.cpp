#include <atomic>
#include <thread>

#include <pqxx/pqxx>

#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;
using plumb::testing::psql;

namespace {

std::vector<model::Resource> sample() {
  return {tenant("acme"),
          role("acme", "reader", {"pipelines:read", "drift:read"}),
          workspace("acme", "analytics", {"postgres", "kafka"}),
          pipeline("acme", "analytics", "ingest"),
          token("acme", "ci", "reader", "720h"),
          token("acme", "deploy", "viewer", "", "2031-01-31T12:00:00Z")};
}

model::Resource find(const std::vector<model::Resource>& in, model::Kind kind, const std::string& name) {
  for (const auto& r : in) {
    if (r.key.kind == kind && r.key.name == name) return r;
  }
  FAIL("no " << name);
  return {};
}

}  // namespace

TEST_CASE("apply creates every kind and reading back yields an empty plan", "[store]") {
  auto db = fresh_store();
  auto before = must(db.store.read_actual());
  auto plan = simple_plan(sample(), before);
  REQUIRE(plan.changes.size() == 6);
  auto result = must(db.store.apply(plan));
  CHECK(result.created == 6);
  CHECK(result.minted_tokens.size() == 2);
  CHECK(result.revision > before.revision);
  auto after = must(db.store.read_actual());
  CHECK(after.revision == result.revision);
  REQUIRE(after.resources.size() == 6);
  for (const auto& a : after.resources) {
    CHECK(a.managed);
    CHECK_FALSE(a.deleted);
    CHECK(a.source_file == "config/" + a.resource.key.name + ".yaml");
    CHECK(a.resource.body() == find(sample(), a.resource.key.kind, a.resource.key.name).body());
  }
  CHECK(simple_plan(sample(), after).empty());
  CHECK(psql(db.url, "SELECT status, counts->>'create' FROM plumb.sync_runs") == "succeeded|6\n");
  // The run's plan record (made on the statement builder's thread) names every change.
  CHECK(psql(db.url, "SELECT jsonb_array_length(plan->'changes'), plan->'summary'->>'create', "
                     "plan->'changes'->5->>'name' = '" + plan.changes[5].key.name + "' FROM plumb.sync_runs") ==
        "6|6|t\n");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.audit_log WHERE actor_type = 'cli' AND sync_run_id = '" +
                         result.sync_run_id + "'") == "6\n");
  CHECK(psql(db.url, "SELECT spec_hash IS NOT NULL AND managed_by = 'plumb' FROM plumb.tenants") == "t\n");
}

TEST_CASE("apply updates and deletes every kind, soft-deleting tenants and workspaces", "[store]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan(sample(), must(db.store.read_actual()))));
  auto changed = sample();
  changed[0].spec["plan"] = "enterprise";
  changed[1].spec["permissions"] = {"*:read"};
  changed[2].spec["capabilities"] = {"postgres"};
  changed[3].spec["source"]["config"]["url"] = "https://example.com/v2";
  changed[3].labels["tier"] = "gold";
  changed[4].spec["description"] = "CI token";
  auto update = simple_plan(changed, must(db.store.read_actual()));
  REQUIRE(update.changes.size() == 5);
  CHECK(must(db.store.apply(update)).updated == 5);
  auto actual = must(db.store.read_actual());
  CHECK(simple_plan(changed, actual).empty());
  CHECK(psql(db.url, "SELECT source->'config'->>'url' FROM plumb.pipelines") == "https://example.com/v2\n");

  auto removal = simple_plan({}, actual);
  REQUIRE(removal.changes.size() == 6);
  CHECK(removal.changes.front().key.kind == model::Kind::api_token);  // deletes in reverse order
  CHECK(must(db.store.apply(removal)).deleted == 6);
  auto gone = must(db.store.read_actual());
  REQUIRE(gone.resources.size() == 2);  // tenant and workspace kept, deactivated
  for (const auto& a : gone.resources) CHECK(a.deleted);
  CHECK(simple_plan({}, gone).empty());
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.pipelines") == "0\n");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.tenants WHERE deleted_at IS NOT NULL") == "1\n");
}

TEST_CASE("a create over a soft-deleted tenant reactivates it", "[store]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan({tenant("acme")}, must(db.store.read_actual()))));
  must(db.store.apply(simple_plan({}, must(db.store.read_actual()))));
  CHECK(psql(db.url, "SELECT deleted_at IS NOT NULL FROM plumb.tenants") == "t\n");
  auto back = tenant("acme", "starter");
  auto plan = simple_plan({back}, must(db.store.read_actual()));
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].reactivate);
  must(db.store.apply(plan));
  auto actual = must(db.store.read_actual());
  REQUIRE(actual.resources.size() == 1);
  CHECK_FALSE(actual.resources[0].deleted);
  CHECK(actual.resources[0].resource.spec["plan"] == "starter");
}

TEST_CASE("a stale plan is refused and nothing is written", "[store]") {
  auto db = fresh_store();
  auto plan = simple_plan(sample(), must(db.store.read_actual()));
  psql(db.url,
       "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) VALUES ('other', 'O', 'starter', "
       "'o@x')");
  auto refused = db.store.apply(plan);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::conflict);
  CHECK(refused.error().code == "STALE_PLAN");
  CHECK_THAT(refused.error().message, Catch::Contains("run plumb plan again"));
  CHECK(psql(db.url, "SELECT string_agg(name, ',') FROM plumb.tenants") == "other\n");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.api_tokens") == "0\n");
  CHECK(psql(db.url, "SELECT status FROM plumb.sync_runs") == "refused\n");
}

TEST_CASE("a plan with errors is refused without touching the database", "[store]") {
  auto db = fresh_store();
  auto plan = simple_plan(sample(), must(db.store.read_actual()));
  plan.diagnostics.add(
      model::Diagnostic{model::Severity::error, "MASS_DELETE", "too many deletes", {}, "", ""});
  auto refused = db.store.apply(plan);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "PLAN_NOT_APPLYABLE");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.tenants") == "0\n");
}

TEST_CASE("apply refuses when its fence says leadership was lost", "[store]") {
  auto db = fresh_store();
  store::ApplyOptions options;
  options.fence_sql = "false";
  auto refused = db.store.apply(simple_plan(sample(), must(db.store.read_actual())), options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "LEADERSHIP_LOST");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.tenants") == "0\n");
  options.fence_sql = "true";
  CHECK(db.store.apply(simple_plan(sample(), must(db.store.read_actual())), options).has_value());
}

TEST_CASE("two concurrent applies are serialised: one wins, the other is refused as stale", "[store]") {
  auto db = fresh_store();
  auto second = must(store::Store::open(db.url));
  const auto actual = must(db.store.read_actual());
  auto plan_a = simple_plan({tenant("alpha")}, actual);
  auto plan_b = simple_plan({tenant("bravo")}, actual);
  Result<store::ApplyResult> a = make_error(ErrorKind::terminal, "", ""), b = a;
  std::thread ta([&] { a = db.store.apply(plan_a); });
  std::thread tb([&] { b = second.apply(plan_b); });
  ta.join();
  tb.join();
  CHECK(a.has_value() != b.has_value());
  const auto& loser = a ? b : a;
  REQUIRE_FALSE(loser);
  CHECK(loser.error().code == "STALE_PLAN");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.tenants") == "1\n");
}

TEST_CASE("an apply waiting for another fails clearly after lock_timeout", "[store]") {
  auto db = fresh_store();
  pqxx::connection holder(db.url);
  pqxx::work hold(holder);
  hold.exec("SELECT pg_advisory_xact_lock(" + std::to_string(0x7061) + ", hashtext('plumb'))");
  store::ApplyOptions options;
  options.lock_timeout = std::chrono::milliseconds(200);
  auto waited = db.store.apply(simple_plan(sample(), must(db.store.read_actual())), options);
  REQUIRE_FALSE(waited);
  CHECK(waited.error().code == "DB_LOCK_TIMEOUT");
  CHECK(waited.error().kind == ErrorKind::transient);
  hold.abort();
  CHECK(db.store.apply(simple_plan(sample(), must(db.store.read_actual()))).has_value());
}

TEST_CASE("apply reports progress and sends one notification", "[store]") {
  auto db = fresh_store();
  pqxx::connection listener(db.url);
  NotificationLog receiver(listener, "plumb_changes");
  std::size_t last = 0;
  store::ApplyOptions options;
  options.progress = [&](std::size_t done, std::size_t total) {
    CHECK(done <= total);
    last = done;
  };
  must(db.store.apply(simple_plan(sample(), must(db.store.read_actual())), options));
  CHECK(last == 6);
  listener.await_notification(2, 0);
  listener.get_notifs();
  CHECK(receiver.payloads.size() == 1);
}

TEST_CASE("apply refuses to delete a resource annotated prevent-destroy", "[store]") {
  auto db = fresh_store();
  auto kept = tenant("acme");
  kept.annotations["plumb.dev/prevent-destroy"] = "true";
  must(db.store.apply(simple_plan({kept}, must(db.store.read_actual()))));
  auto refused = db.store.apply(simple_plan({}, must(db.store.read_actual())));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "PREVENT_DESTROY");
  CHECK(psql(db.url, "SELECT deleted_at IS NULL FROM plumb.tenants") == "t\n");
}

TEST_CASE("a malformed plan (create without its resource) is refused without touching the database",
          "[store]") {
  auto db = fresh_store();
  auto plan = simple_plan(sample(), must(db.store.read_actual()));
  plan.changes[1].desired.reset();
  auto refused = db.store.apply(plan);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "INVALID_PLAN");
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.tenants") == "0\n");
}
