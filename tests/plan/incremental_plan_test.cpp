// The operator's incremental planning (controller.cpp, PlanMemo) as pure algebra: after each
// plan it keeps the drift keys, adds every key a Git change or an apply touched, and plans with
// make_plan_and_drift(..., recheck). Random sequences of Git edits and applies must give, at
// every step, exactly the plan and drift of a full diff.
#include <map>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/plan/plan_record.hpp"
#include "tests/plan/fixtures.hpp"

using namespace plumb;
using namespace plumb::testing;

namespace {

// A world of a few tenants and pipelines whose fields take a few values, so that edits collide,
// revert and come back; some resources are observed (policy), some rows unmanaged or soft-deleted.
class World {
 public:
  explicit World(unsigned seed) : m_rng(seed) {
    for (int i = 0; i < 12; ++i) edit_git();
    for (int i = 0; i < 6; ++i) hand_row();
  }

  std::mt19937& rng() { return m_rng; }

  // A random edit in Git: add, change or remove one resource. Returns its key.
  model::ResourceKey edit_git() {
    model::Resource r = random_resource();
    if (m_desired.count(r.key) && pick(3) == 0) {
      m_desired.erase(r.key);
    } else {
      m_desired[r.key] = r;
    }
    return r.key;
  }

  // A row as a human or another tool left it (unmanaged, or a soft-deleted tenant): only at the
  // start, as the operator reads everything again after any write it did not make.
  void hand_row() {
    model::ActualResource a;
    a.resource = random_resource();
    a.managed = pick(2) == 0;
    a.deleted = a.resource.key.kind == model::Kind::tenant && pick(3) == 0;
    m_actual[a.resource.key] = a;
  }

  // What Store::apply leaves: every change of the plan carried out. Returns the keys it wrote.
  std::vector<model::ResourceKey> apply(const plan::Plan& p) {
    std::vector<model::ResourceKey> keys;
    for (const auto& change : p.changes) {
      keys.push_back(change.key);
      if (change.action == plan::Action::remove) {
        if (change.key.kind == model::Kind::tenant) {
          m_actual[change.key].deleted = true;
        } else {
          m_actual.erase(change.key);
        }
        continue;
      }
      model::ActualResource row;
      row.resource = *change.desired;
      row.resource.source = {};
      row.managed = true;
      m_actual[change.key] = row;
    }
    return keys;
  }

  model::DesiredState desired_state() const {
    std::vector<model::Resource> rs;
    for (const auto& [key, r] : m_desired) rs.push_back(r);
    return desired(rs);
  }
  model::ActualState actual_state(std::int64_t revision) const {
    std::vector<model::ActualResource> rs;
    for (const auto& [key, r] : m_actual) rs.push_back(r);
    return actual(rs, revision);
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }

  model::Resource random_resource() {
    const std::string t = "t" + std::to_string(pick(4));
    if (pick(2) == 0) {
      model::Resource r = tenant(t, pick(2) == 0 ? "starter" : "growth");
      if (pick(6) == 0) r.annotations[std::string(model::k_annotation_policy)] = "observe";
      return r;
    }
    model::Resource r = pipeline(t, "ws", "p" + std::to_string(pick(4)));
    r.spec["description"] = "v" + std::to_string(pick(3));
    if (pick(5) == 0) r.labels["team"] = "data";
    return r;
  }

  std::mt19937 m_rng;
  std::map<model::ResourceKey, model::Resource> m_desired;
  std::map<model::ResourceKey, model::ActualResource> m_actual;
};

}  // namespace

TEST_CASE("planning only the keys that changed since the last plan always equals a full plan",
          "[plan][drift]") {
  const auto pol = policy({}, 0.25, true);
  for (unsigned seed = 1; seed <= 40; ++seed) {
    World world(seed);
    std::int64_t revision = 1;
    auto first = plan::make_plan_and_drift(world.desired_state(), world.actual_state(revision), pol);
    std::vector<model::ResourceKey> recheck;
    for (const auto& item : first.drift.items) recheck.push_back(item.key);
    plan::Plan last = first.plan;
    for (int step = 0; step < 60; ++step) {
      // Some Git edits, or an apply of the last plan (as the operator does when it decides to).
      // Leaving out a Git edit's key makes this fail at once; the apply's keys are conservative
      // here (this model stores exactly what was planned), the operator rechecks them because it
      // reads the written rows back from the database.
      if (std::uniform_int_distribution<int>(0, 2)(world.rng()) == 0) {
        for (const auto& key : world.apply(last)) recheck.push_back(key);
        ++revision;
      } else {
        const int edits = std::uniform_int_distribution<int>(1, 3)(world.rng());
        for (int e = 0; e < edits; ++e) recheck.push_back(world.edit_git());
      }
      const auto d = world.desired_state();
      const auto a = world.actual_state(revision);
      const auto full = plan::make_plan_and_drift(d, a, pol);
      const auto partial = plan::make_plan_and_drift(d, a, pol, recheck);
      INFO("seed " << seed << " step " << step);
      REQUIRE(plan::plan_to_json(partial.plan) == plan::plan_to_json(full.plan));
      REQUIRE(drift_text(partial.drift) == drift_text(full.drift));
      recheck.clear();
      for (const auto& item : partial.drift.items) recheck.push_back(item.key);
      last = partial.plan;
    }
  }
}
