#include "reconciler/plan/drift.hpp"

#include <algorithm>

namespace plumb::plan {

std::string_view drift_type_name(DriftType type) {
  switch (type) {
    case DriftType::missing: return "missing";
    case DriftType::modified: return "modified";
    case DriftType::unmanaged: return "unmanaged";
    case DriftType::orphaned: return "orphaned";
  }
  return "missing";
}

DriftReport make_drift(const model::DesiredState& desired, const model::ActualState& actual) {
  DriftReport report;
  report.commit = desired.commit;
  report.actual_revision = actual.revision;
  const auto& d = desired.resources;
  const auto& a = actual.resources;
  std::size_t i = 0, j = 0;
  auto live = [](const model::ActualResource& r) { return !r.deleted; };
  while (i < d.size() || j < a.size()) {
    if (j == a.size() || (i < d.size() && d[i].key < a[j].resource.key)) {
      report.items.push_back({DriftType::missing, d[i].key, {}});
      ++i;
    } else if (i == d.size() || a[j].resource.key < d[i].key) {
      if (live(a[j])) {
        report.items.push_back({a[j].managed ? DriftType::orphaned : DriftType::unmanaged, a[j].resource.key, {}});
      }
      ++j;
    } else {
      if (!live(a[j])) {
        report.items.push_back({DriftType::missing, d[i].key, {}});
      } else if (auto fields = diff_resources(a[j].resource, d[i]); !fields.empty()) {
        report.items.push_back({DriftType::modified, d[i].key, std::move(fields)});
      }
      ++i;
      ++j;
    }
  }
  return report;
}

DriftReport drift_after_apply(DriftReport before, const Plan& plan, std::int64_t revision) {
  std::vector<model::ResourceKey> changed;
  changed.reserve(plan.changes.size());
  for (const auto& change : plan.changes) changed.push_back(change.key);
  std::sort(changed.begin(), changed.end());
  std::erase_if(before.items, [&](const DriftItem& item) {
    return std::binary_search(changed.begin(), changed.end(), item.key);
  });
  before.actual_revision = revision;
  return before;
}

}  // namespace plumb::plan
