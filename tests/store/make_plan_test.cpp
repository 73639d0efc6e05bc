// The store against the real planner: what read_actual rebuilds must compare equal to what
// make_plan is given, or every pass would propose changes.
#include <algorithm>

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
  REQUIRE(derived.items.size() == fresh.items.size());
  for (std::size_t i = 0; i < fresh.items.size(); ++i) {
    INFO(fresh.items[i].key.name);
    CHECK(derived.items[i].key == fresh.items[i].key);
    CHECK(derived.items[i].type == fresh.items[i].type);
    REQUIRE(derived.items[i].fields.size() == fresh.items[i].fields.size());
    for (std::size_t f = 0; f < fresh.items[i].fields.size(); ++f) {
      CHECK(derived.items[i].fields[f].path == fresh.items[i].fields[f].path);
      CHECK(derived.items[i].fields[f].before == fresh.items[i].fields[f].before);
      CHECK(derived.items[i].fields[f].after == fresh.items[i].fields[f].after);
    }
  }
  CHECK(fresh.items.size() == 2);  // the observed workspace and the unmanaged tenant
}
