// make_plan: pair desired and actual by key in one merge pass, diff each pair, apply policies
// and the mass-delete guard, order the changes. Pure and deterministic (STYLE §4).
#include "reconciler/plan/plan.hpp"

#include "reconciler/plan/drift.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace plumb::plan {
namespace {

using model::Kind;
using model::Policy;

Policy effective_policy(const model::Resource* desired, const model::Resource* actual,
                        const PlanPolicy& policy, Kind kind) {
  if (desired != nullptr) {
    if (auto p = model::annotated_policy(*desired)) return *p;
  }
  if (actual != nullptr) {
    if (auto p = model::annotated_policy(*actual)) return *p;
  }
  auto it = policy.per_kind.find(kind);
  return it == policy.per_kind.end() ? Policy::full : it->second;
}

std::int64_t rotation_of(const model::Resource& r) {
  auto it = r.spec.find("rotation");
  return it != r.spec.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

class Planner {
 public:
  // With `drift`, the drift of every pair is collected on the way (make_plan_and_drift).
  Planner(const PlanPolicy& policy, Plan& plan, DriftReport* drift)
      : m_policy(policy), m_plan(plan), m_drift(drift) {}

  // `movable`, when set, is `desired` itself and may be moved into the change (see make_plan(&&)).
  void pair(const model::Resource* desired, model::Resource* movable, const model::ActualResource* actual);
  // A pair the caller vouches is equal, with a live managed row: counted, not diffed.
  void known_equal() { ++m_plan.summary.unchanged; }
  void finish(std::size_t managed_total, const std::array<std::size_t, 5>& managed_by_kind);

 private:
  void create(const model::Resource& desired, model::Resource* movable,
              const model::ActualResource* soft_deleted);
  void update(const model::Resource& desired, model::Resource* movable, const model::ActualResource& actual);
  void remove(const model::ActualResource& actual);
  void drifted(DriftType type, const model::ResourceKey& key,
               const std::vector<FieldChange>* fields = nullptr) {
    if (m_drift != nullptr)
      m_drift->items.push_back(DriftItem{type, key, fields ? *fields : std::vector<FieldChange>{}});
  }

  const PlanPolicy& m_policy;
  Plan& m_plan;
  DriftReport* m_drift;
  std::vector<Change> m_upserts;
  std::vector<Change> m_deletes;
  std::array<std::size_t, 5> m_deletes_by_kind{};
};

// The desired resource a change carries: moved when the caller gave it up, else copied. Called
// last, once nothing reads `desired` any more.
model::Resource carried(const model::Resource& desired, model::Resource* movable) {
  return movable != nullptr ? std::move(*movable) : desired;
}

// Drift is recorded as plan::make_drift defines it (drift.cpp, drift_of), whatever the policy.
void Planner::pair(const model::Resource* desired, model::Resource* movable,
                   const model::ActualResource* actual) {
  if (desired != nullptr && (actual == nullptr || actual->deleted)) {
    drifted(DriftType::missing, desired->key);
    return create(*desired, movable, actual);
  }
  if (desired != nullptr) return update(*desired, movable, *actual);
  if (actual->deleted) return;  // gone already
  drifted(actual->managed ? DriftType::orphaned : DriftType::unmanaged, actual->resource.key);
  if (!actual->managed) return;  // not plumb's: never touched
  remove(*actual);
}

void Planner::create(const model::Resource& desired, model::Resource* movable,
                     const model::ActualResource* soft_deleted) {
  Policy policy = effective_policy(&desired, nullptr, m_policy, desired.key.kind);
  if (policy == Policy::observe) {
    ++m_plan.summary.skipped;
    return;
  }
  Change change;
  change.action = Action::create;
  change.key = desired.key;
  change.rotate_secret = desired.key.kind == Kind::api_token;
  change.reactivate = soft_deleted != nullptr;
  if (soft_deleted != nullptr) {
    change.actual = soft_deleted->resource;
    change.fields = diff_resources(soft_deleted->resource, desired);
    change.reason = "declared in Git; the database row was deactivated: reactivate it";
  } else {
    change.reason = "declared in Git, absent from the database";
  }
  change.desired = carried(desired, movable);
  ++m_plan.summary.create;
  m_upserts.push_back(std::move(change));
}

void Planner::update(const model::Resource& desired, model::Resource* movable,
                     const model::ActualResource& actual) {
  std::vector<FieldChange> fields = diff_resources(actual.resource, desired);
  if (!fields.empty()) drifted(DriftType::modified, desired.key, &fields);
  if (fields.empty() && actual.managed) {
    ++m_plan.summary.unchanged;
    return;
  }
  Policy policy = effective_policy(&desired, &actual.resource, m_policy, desired.key.kind);
  if (policy == Policy::observe || policy == Policy::create_only) {
    ++m_plan.summary.skipped;
    return;
  }
  Change change;
  change.action = Action::update;
  change.key = desired.key;
  change.actual = actual.resource;
  change.fields = std::move(fields);
  // A row Git declares but plumb did not create is adopted: from now on plumb manages it.
  change.reason = actual.managed ? "fields differ from Git" : "adopting an unmanaged row declared in Git";
  if (desired.key.kind == Kind::api_token) {
    std::int64_t before = rotation_of(actual.resource);
    std::int64_t after = rotation_of(desired);
    if (after > before) {
      change.rotate_secret = true;
      change.reason = "spec.rotation increased: mint a new secret";
    } else if (after < before) {
      m_plan.diagnostics.error(
          "ROTATION_DECREASED",
          desired.key.str() + ": spec.rotation went down from " + std::to_string(before) + " to " +
              std::to_string(after) + "; rotation only moves forward",
          desired.source, "spec.rotation",
          "set it to " + std::to_string(before + 1) + " to rotate, or back to " + std::to_string(before));
    }
  }
  change.desired = carried(desired, movable);
  ++m_plan.summary.update;
  m_upserts.push_back(std::move(change));
}

void Planner::remove(const model::ActualResource& actual) {
  Policy policy = effective_policy(nullptr, &actual.resource, m_policy, actual.resource.key.kind);
  if (policy != Policy::full) {
    ++m_plan.summary.skipped;
    return;
  }
  Change change;
  change.action = Action::remove;
  change.key = actual.resource.key;
  change.actual = actual.resource;
  change.reason = "managed by plumb, no longer in Git";
  if (change.key.kind == Kind::tenant || change.key.kind == Kind::workspace) {
    change.reason += " (soft delete: deactivated, kept for history)";
  }
  if (model::prevents_destroy(actual.resource)) {
    m_plan.diagnostics.error(
        "PREVENT_DESTROY", change.key.str() + " has plumb.dev/prevent-destroy: \"true\" and would be deleted",
        {actual.source_file, 0, 0}, "metadata.annotations[\"plumb.dev/prevent-destroy\"]",
        "restore it in Git, or remove the annotation first in a separate change");
  }
  ++m_plan.summary.remove;
  ++m_deletes_by_kind[static_cast<std::size_t>(change.key.kind)];
  m_deletes.push_back(std::move(change));
}

void Planner::finish(std::size_t managed_total, const std::array<std::size_t, 5>& managed_by_kind) {
  // A single deletion is never "mass"; past that, refuse more than the configured share of what
  // plumb manages, or every resource of a kind that had several.
  std::size_t deletes = m_deletes.size();
  if (!m_policy.allow_mass_delete && deletes > 1) {
    double share =
        managed_total == 0 ? 1.0 : static_cast<double>(deletes) / static_cast<double>(managed_total);
    if (share > m_policy.max_delete_fraction) {
      m_plan.diagnostics.error(
          "MASS_DELETE",
          "the plan deletes " + std::to_string(deletes) + " of " + std::to_string(managed_total) +
              " managed resources (" + std::to_string(static_cast<int>(std::round(share * 100))) +
              "%, limit " + std::to_string(static_cast<int>(std::round(m_policy.max_delete_fraction * 100))) +
              "%)",
          {}, "", "check that the whole config was read; pass --allow-mass-delete if this is intended");
    }
    for (Kind kind : model::k_all_kinds) {
      auto k = static_cast<std::size_t>(kind);
      if (managed_by_kind[k] >= 2 && m_deletes_by_kind[k] == managed_by_kind[k]) {
        m_plan.diagnostics.error("MASS_DELETE",
                                 "the plan deletes every " + std::string(model::kind_name(kind)) + " (" +
                                     std::to_string(managed_by_kind[k]) + ")",
                                 {}, "", "pass --allow-mass-delete if this is intended");
      }
    }
  }
  // Creates and updates in key order (= dependency order); deletes in reverse.
  m_plan.changes = std::move(m_upserts);
  std::reverse(m_deletes.begin(), m_deletes.end());
  for (auto& d : m_deletes) m_plan.changes.push_back(std::move(d));
}

}  // namespace

namespace {

// One merge pass over desired and actual (both sorted by key). `take`, when set, is
// desired.resources itself, whose resources may be moved into the plan.
Plan plan_pairs(const model::DesiredState& desired, std::vector<model::Resource>* take,
                const model::ActualState& actual, const PlanPolicy& policy, DriftReport* drift = nullptr,
                const std::vector<model::ResourceKey>* recheck = nullptr) {
  Plan plan;
  plan.commit = desired.commit;
  plan.actual_revision = actual.revision;
  if (drift != nullptr) {
    drift->commit = desired.commit;
    drift->actual_revision = actual.revision;
  }
  Planner planner(policy, plan, drift);
  std::size_t managed_total = 0;
  std::array<std::size_t, 5> managed_by_kind{};
  for (const auto& a : actual.resources) {
    if (a.managed && !a.deleted) {
      ++managed_total;
      ++managed_by_kind[static_cast<std::size_t>(a.resource.key.kind)];
    }
  }
  const auto& d = desired.resources;
  const auto& a = actual.resources;
  auto movable = [&](std::size_t index) { return take != nullptr ? &(*take)[index] : nullptr; };
  // With `recheck`, a pair whose key is not in it is known equal if its row is live and managed.
  std::size_t r = 0;
  auto known_equal = [&](const model::ActualResource& row) {
    if (recheck == nullptr || row.deleted || !row.managed) return false;
    const auto& key = row.resource.key;
    while (r < recheck->size() && (*recheck)[r] < key) ++r;  // keys arrive in order
    return r == recheck->size() || !((*recheck)[r] == key);
  };
  std::size_t i = 0, j = 0;
  while (i < d.size() || j < a.size()) {
    if (j == a.size() || (i < d.size() && d[i].key < a[j].resource.key)) {
      planner.pair(&d[i], movable(i), nullptr);
      ++i;
    } else if (i == d.size() || a[j].resource.key < d[i].key) {
      planner.pair(nullptr, nullptr, &a[j++]);
    } else if (known_equal(a[j])) {
      planner.known_equal();
      ++i, ++j;
    } else {
      planner.pair(&d[i], movable(i), &a[j++]);
      ++i;
    }
  }
  planner.finish(managed_total, managed_by_kind);
  plan.diagnostics.sort();
  return plan;
}

}  // namespace

Plan make_plan(const model::DesiredState& desired, const model::ActualState& actual,
               const PlanPolicy& policy) {
  return plan_pairs(desired, nullptr, actual, policy);
}

PlanAndDrift make_plan_and_drift(const model::DesiredState& desired, const model::ActualState& actual,
                                 const PlanPolicy& policy) {
  PlanAndDrift out;
  out.plan = plan_pairs(desired, nullptr, actual, policy, &out.drift);
  return out;
}

PlanAndDrift make_plan_and_drift(const model::DesiredState& desired, const model::ActualState& actual,
                                 const PlanPolicy& policy, std::vector<model::ResourceKey> recheck) {
  std::sort(recheck.begin(), recheck.end());
  PlanAndDrift out;
  out.plan = plan_pairs(desired, nullptr, actual, policy, &out.drift, &recheck);
  return out;
}

Plan make_plan(model::DesiredState&& desired, const model::ActualState& actual, const PlanPolicy& policy) {
  return plan_pairs(desired, &desired.resources, actual, policy);
}

}  // namespace plumb::plan
