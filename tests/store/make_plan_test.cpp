// The store against the real planner: what read_actual rebuilds must compare equal to what
// make_plan is given, or every pass would propose changes.
#include <algorithm>

#include <pqxx/pqxx>

#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;

namespace {
model::DesiredState desired_state() {
  model::DesiredState d;
  d.commit = "0123456789abcdef0123456789abcdef01234567";
  d.resources = {tenant("acme"),
                 role("acme", "reader", {"pipelines:read"}),
                 workspace("acme", "analytics", {"postgres", "kafka"}),
                 pipeline("acme", "analytics", "ingest"),
                 token("acme", "ci", "reader", "720h"),
                 token("acme", "deploy", "viewer", "", "2031-01-31T12:00:00Z")};
  std::sort(d.resources.begin(), d.resources.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  return d;
}

// A drift report as one comparable text: each item's type and key, and every changed field's
// path with its value in the database and in Git ("-" where absent).
std::string drift_text(const plan::DriftReport& report) {
  auto value = [](const std::optional<model::Json>& v) { return v ? v->dump() : std::string("-"); };
  std::string out;
  for (const auto& item : report.items) {
    out += std::string(plan::drift_type_name(item.type)) + " " + item.key.str();
    for (const auto& f : item.fields) out += " " + f.path + "=" + value(f.before) + ">" + value(f.after);
    out += "\n";
  }
  return out;
}
}  // namespace

TEST_CASE("make_plan after an apply is empty, and an out-of-band edit is planned and reported as drift",
          "[store][plan]") {
  auto db = fresh_store();
  const auto desired = desired_state();
  auto first = plan::make_plan(desired, must(db.store.read_actual()), {});
  REQUIRE(first.applyable());
  CHECK(first.summary.create == 6);
  must(db.store.apply(first));
  auto actual = must(db.store.read_actual());
  CHECK(plan::make_plan(desired, actual, {}).empty());
  CHECK(plan::make_drift(desired, actual).empty());

  plumb::testing::psql(db.url,
                       "UPDATE plumb.workspaces SET capabilities = '{postgres}' WHERE name = 'analytics'");
  actual = must(db.store.read_actual());
  auto heal = plan::make_plan(desired, actual, {});
  REQUIRE(heal.changes.size() == 1);
  REQUIRE_FALSE(heal.changes[0].fields.empty());
  CHECK(heal.changes[0].fields[0].path.rfind("spec.capabilities", 0) == 0);
  auto drift = plan::make_drift(desired, actual);
  REQUIRE(drift.items.size() == 1);
  CHECK(drift.items[0].type == plan::DriftType::modified);
  must(db.store.record_drift(drift));
  CHECK(plumb::testing::psql(db.url, "SELECT kind || '/' || name || '/' || type FROM plumb.drift_items") ==
        "Workspace/analytics/modified\n");
  must(db.store.apply(heal));
  CHECK(plan::make_plan(desired, must(db.store.read_actual()), {}).empty());
}

// The operator records drift after an apply without reading every row again
// (plan::drift_after_apply); it must equal what a second read would report.
TEST_CASE("drift derived after an apply equals the drift of a fresh read", "[store][plan][drift]") {
  auto db = fresh_store();
  auto desired = desired_state();
  must(db.store.apply(plan::make_plan(desired, must(db.store.read_actual()), {})));
  // Out of band: a hand edit on a workspace (observed: stays drift), an unmanaged tenant, and a
  // pipeline edit the plan will revert.
  plumb::testing::psql(db.url, "UPDATE plumb.workspaces SET display_name = 'hand edit' WHERE name = 'analytics'; "
                               "UPDATE plumb.pipelines SET description = 'hand edit' WHERE name = 'ingest'; "
                               "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) "
                               "VALUES ('other', 'O', 'starter', 'o@example.com')");
  // In Git: a new role, a changed token, a token removed.
  desired.resources.push_back(role("acme", "auditor", {"audit:read"}));
  for (auto& r : desired.resources) {
    if (r.key.name == "ci") r.spec["description"] = "changed in Git";
  }
  std::erase_if(desired.resources, [](const model::Resource& r) { return r.key.name == "deploy"; });
  std::sort(desired.resources.begin(), desired.resources.end(), [](const auto& a, const auto& b) { return a.key < b.key; });

  const auto before = must(db.store.read_actual());
  plan::PlanPolicy policy;
  policy.per_kind[model::Kind::workspace] = model::Policy::observe;
  const auto p = plan::make_plan(desired, before, policy);
  REQUIRE(p.applyable());
  CHECK(p.changes.size() == 4);  // role +, token ~, token -, pipeline ~
  const auto applied = must(db.store.apply(p));
  const auto derived = plan::drift_after_apply(plan::make_drift(desired, before), p, applied.revision);
  const auto fresh_state = must(db.store.read_actual());
  const auto fresh = plan::make_drift(desired, fresh_state);
  CHECK(derived.actual_revision == fresh_state.revision);
  CHECK(drift_text(derived) == drift_text(fresh));
  CHECK(fresh.items.size() == 2);  // the observed workspace and the unmanaged tenant
}

namespace {

// Every row of a state as one comparable text: key, flags, provenance and canonical body.
std::string state_text(const model::ActualState& state) {
  std::string out = "revision " + std::to_string(state.revision) + "\n";
  for (const auto& a : state.resources) {
    out += a.resource.key.str() + (a.managed ? " managed" : "") + (a.deleted ? " deleted" : "") + " " +
           a.source_file + "@" + a.commit + " " + a.resource.canonical() + "\n";
  }
  return out;
}

}  // namespace

// The operator keeps the rows it read between passes and, after its own apply, reads back only
// the rows the plan changed (model::replace_rows): that must equal a full read, soft deletes,
// reactivation, token rotation and unmanaged rows included.
TEST_CASE("the rows an apply changed, read back by key, patch the kept state into a full read", "[store][plan]") {
  auto db = fresh_store();
  auto desired = desired_state();
  must(db.store.apply(plan::make_plan(desired, must(db.store.read_actual()), {})));
  plumb::testing::psql(db.url, "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) "
                               "VALUES ('other', 'O', 'starter', 'o@example.com')");
  auto kept = must(db.store.read_actual());

  // In Git: a new role, a rotated token, a token and the workspace's pipeline removed.
  desired.resources.push_back(role("acme", "auditor", {"audit:read"}));
  for (auto& r : desired.resources) {
    if (r.key.name == "ci") r.spec["rotation"] = 1;
  }
  std::erase_if(desired.resources, [](const model::Resource& r) { return r.key.name == "deploy" || r.key.name == "ingest"; });
  std::sort(desired.resources.begin(), desired.resources.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  plan::PlanPolicy policy;
  policy.allow_mass_delete = true;  // two of six managed rows
  const auto p = plan::make_plan(desired, kept, policy);
  REQUIRE(p.applyable());
  REQUIRE(p.changes.size() == 4);
  const auto applied = must(db.store.apply(p));

  std::vector<model::ResourceKey> keys;
  for (const auto& change : p.changes) keys.push_back(change.key);
  auto rows = must(db.store.read_resources(keys));
  CHECK(rows.revision == applied.revision);
  model::replace_rows(kept, std::move(rows), keys);
  const auto fresh = must(db.store.read_actual());
  CHECK(state_text(kept) == state_text(fresh));
  CHECK(plan::make_plan(desired, kept, {}).empty());

  // Removing the workspace too soft-deletes it: the kept row must say so.
  std::erase_if(desired.resources, [](const model::Resource& r) { return r.key.kind == model::Kind::workspace; });
  const auto p2 = plan::make_plan(desired, kept, policy);
  REQUIRE(p2.applyable());
  REQUIRE(p2.changes.size() == 1);
  const auto applied2 = must(db.store.apply(p2));
  auto rows2 = must(db.store.read_resources({p2.changes[0].key}));
  CHECK(rows2.revision == applied2.revision);
  model::replace_rows(kept, std::move(rows2), {p2.changes[0].key});
  CHECK(state_text(kept) == state_text(must(db.store.read_actual())));
}

namespace {

// The keys a batch of plumb_changes payloads names, as the operator's feed decodes them (the
// row's key, and `previous` for a rename).
std::vector<model::ResourceKey> keys_named(const std::vector<std::string>& payloads) {
  std::vector<model::ResourceKey> keys;
  for (const auto& payload : payloads) {
    const auto note = model::Json::parse(payload);
    const auto kind = *model::parse_kind(note.at("kind").get<std::string>());
    keys.push_back({kind, note.at("tenant"), note.at("workspace"), note.at("name")});
    if (note.contains("previous")) {
      const auto& p = note.at("previous");
      keys.push_back({kind, p.at("tenant"), p.at("workspace"), p.at("name")});
    }
  }
  return keys;
}

}  // namespace

// The operator's drift on NOTIFY: it re-reads only the rows the out-of-band trigger named
// (Store::read_resources) and updates the last report (plan::update_drift). That must equal the
// drift of a full read, renames included (0002 names the previous key).
TEST_CASE("the rows a notification names, read alone, update drift as a full read would", "[store][plan][drift]") {
  auto db = fresh_store();
  const auto desired = desired_state();
  must(db.store.apply(plan::make_plan(desired, must(db.store.read_actual()), {})));
  const auto before = plan::make_drift(desired, must(db.store.read_actual()));
  REQUIRE(before.empty());

  pqxx::connection listener(db.url);
  NotificationLog receiver(listener, "plumb_changes");
  plumb::testing::psql(db.url,
                       "UPDATE plumb.pipelines SET name = 'ingest2' WHERE name = 'ingest'; "
                       "UPDATE plumb.api_tokens SET description = 'hand edit' WHERE name = 'ci'; "
                       "DELETE FROM plumb.roles WHERE name = 'reader'; "
                       "UPDATE plumb.tenants SET plan = 'enterprise' WHERE name = 'acme'; "
                       "INSERT INTO plumb.tenants (name, display_name, plan, admin_email) "
                       "VALUES ('other', 'O', 'starter', 'o@example.com')");
  for (int i = 0; i < 50 && receiver.payloads.size() < 5; ++i) {
    listener.await_notification(0, 100'000);
    listener.get_notifs();
  }
  REQUIRE(receiver.payloads.size() == 5);
  const auto keys = keys_named(receiver.payloads);
  REQUIRE(keys.size() == 6);  // the rename names both keys
  CHECK(std::count(keys.begin(), keys.end(), model::ResourceKey{model::Kind::pipeline, "acme", "analytics", "ingest"}) == 1);

  const auto rows = must(db.store.read_resources(keys));
  const auto full = must(db.store.read_actual());
  CHECK(rows.revision == full.revision);
  REQUIRE(rows.resources.size() == 4);  // ingest and reader have no row any more
  for (const auto& row : rows.resources) {
    auto same = std::find_if(full.resources.begin(), full.resources.end(),
                             [&](const auto& r) { return r.resource.key == row.resource.key; });
    REQUIRE(same != full.resources.end());
    INFO(row.resource.key.str());
    CHECK(row.resource.canonical() == same->resource.canonical());
    CHECK(row.managed == same->managed);
    CHECK(row.deleted == same->deleted);
    CHECK(row.source_file == same->source_file);
  }
  const auto updated = plan::update_drift(before, desired, rows, keys);
  CHECK(drift_text(updated) == drift_text(plan::make_drift(desired, full)));
  CHECK(updated.items.size() == 6);  // acme ~, other unmanaged, reader -, ingest -, ingest2 orphaned, ci ~
  CHECK(must(db.store.read_resources({})).resources.empty());
}
