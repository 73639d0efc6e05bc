#pragma once
#include <string>
#include <vector>

#include "reconciler/model/state.hpp"
#include "reconciler/plan/plan.hpp"

namespace plumb::plan {

// DESIGN §4: missing (in Git, not in the database), modified (fields differ), unmanaged (in the
// database, not in Git, not plumb's), orphaned (plumb's, gone from Git, not pruned yet).
enum class DriftType { missing, modified, unmanaged, orphaned };

std::string_view drift_type_name(DriftType type);

struct DriftItem {
  DriftType type = DriftType::missing;
  model::ResourceKey key;
  std::vector<FieldChange> fields;  // for modified: desired is `after`, actual is `before`
};

struct DriftReport {
  std::string commit;
  std::int64_t actual_revision = 0;
  std::vector<DriftItem> items;  // sorted by key
  bool empty() const { return items.empty(); }
};

// Pure: compares desired with actual regardless of policy (drift is what differs, not what
// plumb would do about it).
DriftReport make_drift(const model::DesiredState& desired, const model::ActualState& actual);

// make_plan and make_drift of the same states in one pass, each pair diffed once: the operator
// needs both on every pass, and at 100k resources each pass over every pair is ~150 ms.
// Equal to calling the two separately.
struct PlanAndDrift {
  Plan plan;
  DriftReport drift;
};
PlanAndDrift make_plan_and_drift(const model::DesiredState& desired, const model::ActualState& actual,
                                 const PlanPolicy& policy);

// The same, when the caller knows most pairs are equal: a desired resource and a live managed
// row whose key is not in `recheck` are counted unchanged without being diffed. The operator
// vouches for that from its last plan (every such pair was equal then: it had no drift) and
// from knowing every key that changed on either side since. Equal to the full call whenever
// that holds; pairs of any other shape are always diffed.
PlanAndDrift make_plan_and_drift(const model::DesiredState& desired, const model::ActualState& actual,
                                 const PlanPolicy& policy, std::vector<model::ResourceKey> recheck);

// The drift left once `plan` has been applied to the state `before` was computed on, without
// reading the state again: every key the plan changed now equals Git or is gone, every other
// item stays. Exact when the apply committed on the revision the plan read (Store::apply refuses
// a plan whose revision moved); `revision` is the one the apply committed.
DriftReport drift_after_apply(DriftReport before, const Plan& plan, std::int64_t revision);

// `before` with the items of `keys` recomputed from `rows`, the current database rows of those
// keys (a key absent from `rows` has no row): what make_drift would say of the whole state when
// only those rows changed since `before` was computed against the same desired state.
// `rows.revision` becomes the report's revision.
DriftReport update_drift(DriftReport before, const model::DesiredState& desired,
                         const model::ActualState& rows, std::vector<model::ResourceKey> keys);

}  // namespace plumb::plan
