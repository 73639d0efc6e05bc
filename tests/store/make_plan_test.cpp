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
