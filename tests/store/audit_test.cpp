#include <stdexcept>

#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;
using plumb::testing::psql;

namespace {
void populate(TestDb& db) {
  must(db.store.apply(simple_plan({tenant("acme"), tenant("beta"), role("acme", "r", {"audit:read"})},
                                  must(db.store.read_actual()))));
  psql(db.url, "UPDATE plumb.tenants SET display_name = 'Béta ✓ \"quoted\"' WHERE name = 'beta'");
  must(db.store.apply(simple_plan({tenant("acme")}, must(db.store.read_actual()))));
}
}  // namespace

TEST_CASE("the audit chain verifies after applies and out-of-band writes", "[store]") {
  auto db = fresh_store();
  populate(db);
  auto verdict = must(db.store.verify_audit());
  CHECK(verdict.ok);
  CHECK(verdict.checked == 3 + 1 + 2);  // creates, out-of-band edit, deletes
  CHECK(psql(db.url, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM plumb.audit_log") ==
        "1,2,3,4,5,6\n");
  // The trigger's inlined hash equals the documented SQL definition.
  CHECK(psql(db.url,
             "SELECT count(*) FROM plumb.audit_log a WHERE hash <> "
             "encode(sha256(convert_to(prev_hash || plumb.audit_canonical(a), 'UTF8')), 'hex')") == "0\n");
}

TEST_CASE("audit rows keep every character of what they record, in plan order", "[store]") {
  // The apply streams its audit rows with COPY: tabs, newlines, backslashes, quotes, "\." and
  // non-ASCII text in the diff and the actor must arrive as they were.
  auto db = fresh_store();
  const std::string awkward = "tab\there\nnew line \\N back\\slash \\.\r 'single' \"double\" Béta ✓";
  auto acme = tenant("acme");
  acme.spec["displayName"] = awkward;
  auto plan = simple_plan({acme, tenant("beta"), role("acme", "r", {"audit:read"})}, must(db.store.read_actual()));
  store::ApplyOptions options;
  options.actor = "ci\tbot\n" + awkward;
  options.actor_type = "cli";
  options.correlation_id = "corr\\1";
  must(db.store.apply(plan, options));
  CHECK(must(db.store.verify_audit()).ok);
  pqxx::connection conn(db.url);
  pqxx::work tx(conn);
  auto rows = tx.exec(
      "SELECT name, actor, correlation_id, diff->'after'->'spec'->>'displayName' FROM plumb.audit_log ORDER BY seq");
  REQUIRE(rows.size() == plan.changes.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[static_cast<int>(i)][0].as<std::string>() == plan.changes[i].key.name);  // plan order
    CHECK(rows[static_cast<int>(i)][1].as<std::string>() == options.actor);
    CHECK(rows[static_cast<int>(i)][2].as<std::string>() == "corr\\1");
  }
  CHECK(tx.exec("SELECT diff->'after'->'spec'->>'displayName' FROM plumb.audit_log WHERE name = 'acme'")[0][0]
            .as<std::string>() == awkward);
}

TEST_CASE("audit rows cannot be updated, deleted or truncated", "[store]") {
  auto db = fresh_store();
  populate(db);
  CHECK_THROWS_WITH(psql(db.url, "UPDATE plumb.audit_log SET actor = 'x'"), Catch::Contains("append-only"));
  CHECK_THROWS_WITH(psql(db.url, "DELETE FROM plumb.audit_log"), Catch::Contains("append-only"));
  CHECK_THROWS_WITH(psql(db.url, "TRUNCATE plumb.audit_log"), Catch::Contains("append-only"));
  CHECK(must(db.store.verify_audit()).ok);
}

TEST_CASE("a row edited with triggers disabled is detected with its seq", "[store]") {
  auto db = fresh_store();
  populate(db);
  psql(db.url,
       "ALTER TABLE plumb.audit_log DISABLE TRIGGER ALL; "
       "UPDATE plumb.audit_log SET actor = 'mallory' WHERE seq = 4; "
       "ALTER TABLE plumb.audit_log ENABLE TRIGGER ALL");
  auto verdict = must(db.store.verify_audit());
  CHECK_FALSE(verdict.ok);
  REQUIRE(verdict.first_bad);
  CHECK(*verdict.first_bad == 4);
  CHECK_THAT(verdict.reason, Catch::Contains("hash"));
}

TEST_CASE("a deleted row or a rewritten tail is detected", "[store]") {
  auto db = fresh_store();
  populate(db);
  psql(db.url,
       "ALTER TABLE plumb.audit_log DISABLE TRIGGER ALL; DELETE FROM plumb.audit_log WHERE seq = 2; "
       "ALTER TABLE plumb.audit_log ENABLE TRIGGER ALL");
  auto gap = must(db.store.verify_audit());
  CHECK_FALSE(gap.ok);
  CHECK(gap.first_bad == std::optional<std::int64_t>(2));

  auto db2 = fresh_store();
  populate(db2);
  psql(db2.url,
       "ALTER TABLE plumb.audit_log DISABLE TRIGGER ALL; DELETE FROM plumb.audit_log WHERE seq = 6; "
       "ALTER TABLE plumb.audit_log ENABLE TRIGGER ALL");
  auto tail = must(db2.store.verify_audit());
  CHECK_FALSE(tail.ok);
  CHECK(tail.first_bad == std::optional<std::int64_t>(6));
}

TEST_CASE("drift is stored replacing the previous report", "[store]") {
  auto db = fresh_store();
  plan::DriftReport report;
  report.commit = "abc123";
  report.actual_revision = 7;
  report.items.push_back({plan::DriftType::modified,
                          {model::Kind::tenant, "", "", "acme"},
                          {{"spec.plan", model::Json("growth"), model::Json("enterprise")}}});
  report.items.push_back({plan::DriftType::missing, {model::Kind::pipeline, "acme", "ws", "p"}, {}});
  must(db.store.record_drift(report));
  CHECK(psql(db.url, "SELECT string_agg(kind || '/' || type, ',' ORDER BY kind) FROM plumb.drift_items") ==
        "Pipeline/missing,Tenant/modified\n");
  CHECK(psql(db.url, "SELECT fields->0->>'path' FROM plumb.drift_items WHERE kind = 'Tenant'") ==
        "spec.plan\n");
  CHECK(psql(db.url,
             "SELECT commit || '|' || revision || '|' || (checked_at IS NOT NULL) FROM plumb.drift_state") ==
        "abc123|7|true\n");
  const std::string first_seen = psql(db.url, "SELECT detected_at FROM plumb.drift_items WHERE kind = 'Tenant'");
  psql(db.url, "SELECT pg_sleep(0.02)");
  report.items.pop_back();
  must(db.store.record_drift(report));
  CHECK(psql(db.url, "SELECT detected_at FROM plumb.drift_items WHERE kind = 'Tenant'") == first_seen);
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.drift_items") == "1\n");
  report.items.clear();
  must(db.store.record_drift(report));
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.drift_items") == "0\n");
}
