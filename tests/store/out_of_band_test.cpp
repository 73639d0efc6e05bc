#include <pqxx/pqxx>

#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;
using plumb::testing::psql;

TEST_CASE("an out-of-band update shows up as a difference, is audited and notified, and apply heals it",
          "[store]") {
  auto db = fresh_store();
  const std::vector<model::Resource> desired = {tenant("acme"), workspace("acme", "analytics", {"postgres"})};
  must(db.store.apply(simple_plan(desired, must(db.store.read_actual()))));
  pqxx::connection listener(db.url);
  NotificationLog receiver(listener, "plumb_changes");
  const auto revision = must(db.store.current_revision());

  psql(db.url, "UPDATE plumb.tenants SET plan = 'enterprise' WHERE name = 'acme'");

  CHECK(must(db.store.current_revision()) > revision);
  auto actual = must(db.store.read_actual());
  auto heal = simple_plan(desired, actual);
  REQUIRE(heal.changes.size() == 1);
  CHECK(heal.changes[0].key.kind == model::Kind::tenant);
  CHECK(heal.changes[0].actual->spec["plan"] == "enterprise");
  CHECK(psql(db.url,
             "SELECT actor_type || '|' || actor || '|' || action || '|' || tenant || '|' || "
             "(diff->'before'->>'plan') || '>' || (diff->'after'->>'plan') FROM plumb.audit_log "
             "WHERE actor_type = 'database'") ==
        "database|postgres/psql|tenant.update|acme|growth>enterprise\n");
  listener.await_notification(2, 0);
  listener.get_notifs();
  REQUIRE(receiver.payloads.size() == 1);
  auto note = model::Json::parse(receiver.payloads[0]);
  CHECK(note["kind"] == "Tenant");
  CHECK(note["name"] == "acme");
  CHECK(note["op"] == "update");

  must(db.store.apply(heal));
  CHECK(simple_plan(desired, must(db.store.read_actual())).empty());
  CHECK(psql(db.url, "SELECT plan FROM plumb.tenants") == "growth\n");
}

TEST_CASE("rows inserted out of band are read as unmanaged and never pruned", "[store]") {
  auto db = fresh_store();
  psql(db.url,
       "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) VALUES ('legacy', 'L', 'starter', "
       "'l@x')");
  auto actual = must(db.store.read_actual());
  REQUIRE(actual.resources.size() == 1);
  CHECK_FALSE(actual.resources[0].managed);
  CHECK(actual.resources[0].resource.spec ==
        model::Json{{"displayName", "L"}, {"plan", "starter"}, {"status", "active"}, {"adminEmail", "l@x"}});
  CHECK(simple_plan({}, actual).empty());
  CHECK(psql(db.url, "SELECT action FROM plumb.audit_log") == "tenant.create\n");
}

TEST_CASE("a truncate out of band is audited and moves the revision", "[store]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan({tenant("acme"), pipeline("acme", "ws", "p"), workspace("acme", "ws")},
                                  must(db.store.read_actual()))));
  const auto revision = must(db.store.current_revision());
  psql(db.url, "TRUNCATE plumb.pipelines");
  CHECK(must(db.store.current_revision()) > revision);
  CHECK(psql(db.url, "SELECT action || '|' || actor_type FROM plumb.audit_log ORDER BY seq DESC LIMIT 1") ==
        "pipeline.truncate|database\n");
  CHECK(must(db.store.verify_audit()).ok);
}

TEST_CASE("rows written out of band are read back in canonical form with defaults filled", "[store]") {
  auto db = fresh_store();
  psql(db.url,
       "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) VALUES ('acme', 'A', 'growth', "
       "'a@x');"
       "INSERT INTO plumb.workspaces (tenant, name, display_name) VALUES ('acme', 'ws', 'W');"
       "INSERT INTO plumb.pipelines (tenant, workspace, name, source) VALUES ('acme', 'ws', 'p', '{\"type\": "
       "\"kafka\"}');"
       "INSERT INTO plumb.api_tokens (tenant, name, role, expires_at) "
       "VALUES ('acme', 't', 'viewer', '2030-05-06 07:08:09.5+02')");
  auto actual = must(db.store.read_actual());
  REQUIRE(actual.resources.size() == 4);
  const auto& ws = actual.resources[1].resource;  // order: tenant, workspace, pipeline, token
  CHECK(ws.spec == model::Json{{"displayName", "W"}, {"capabilities", model::Json::array()}});
  const auto& p = actual.resources[2].resource;
  CHECK(p.spec == model::Json{{"description", ""},
                              {"enabled", true},
                              {"source", {{"type", "kafka"}, {"config", model::Json::object()}}},
                              {"integrations", model::Json::array()},
                              {"transformations", model::Json::array()}});
  const auto& t = actual.resources[3].resource;
  CHECK(t.spec == model::Json{{"description", ""},
                              {"role", "viewer"},
                              {"rotation", 0},
                              {"expiresAt", "2030-05-06T05:08:09.5Z"}});
  CHECK(t.labels == model::Json::object());
}

TEST_CASE("an apply's own rows queue no out-of-band trigger events; a write outside one still does", "[store]") {
  auto db = fresh_store();
  // Every out-of-band row trigger carries the condition (0003), so PostgreSQL skips it for an
  // apply's rows instead of queueing an event per row.
  CHECK(psql(db.url, "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'plumb' "
                     "AND t.tgname LIKE '%\\_out\\_of\\_band' AND t.tgqual IS NOT NULL") == "5\n");
  const std::vector<model::Resource> desired = {tenant("acme"), workspace("acme", "analytics", {"postgres"})};
  must(db.store.apply(simple_plan(desired, must(db.store.read_actual()))));
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.audit_log WHERE actor_type = 'database'") == "0\n");
  // A session that sets plumb.sync_run to nothing is not an apply.
  psql(db.url, "BEGIN; SELECT set_config('plumb.sync_run', '', true); "
               "UPDATE plumb.workspaces SET display_name = 'x' WHERE name = 'analytics'; COMMIT");
  CHECK(psql(db.url, "SELECT action FROM plumb.audit_log WHERE actor_type = 'database'") == "workspace.update\n");
}
