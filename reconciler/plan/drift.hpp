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

}  // namespace plumb::plan
