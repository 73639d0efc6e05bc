#include "reconciler/plan/drift.hpp"

#include <algorithm>
#include <optional>

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

namespace {

// The drift of one key: its desired resource and its database row, either possibly absent.
std::optional<DriftItem> drift_of(const model::Resource* desired, const model::ActualResource* actual) {
  const bool live = actual && !actual->deleted;
  if (desired && !live) return DriftItem{DriftType::missing, desired->key, {}};
  if (!desired) {
    if (!live) return std::nullopt;
    return DriftItem{actual->managed ? DriftType::orphaned : DriftType::unmanaged, actual->resource.key, {}};
  }
  auto fields = diff_resources(actual->resource, *desired);
  if (fields.empty()) return std::nullopt;
  return DriftItem{DriftType::modified, desired->key, std::move(fields)};
}

bool key_less(const DriftItem& a, const DriftItem& b) { return a.key < b.key; }

// Drops the items of `keys` from `items`; leaves `keys` sorted and without repeats.
void erase_keys(std::vector<DriftItem>& items, std::vector<model::ResourceKey>& keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::erase_if(items, [&](const DriftItem& item) { return std::binary_search(keys.begin(), keys.end(), item.key); });
}

}  // namespace

DriftReport make_drift(const model::DesiredState& desired, const model::ActualState& actual) {
  DriftReport report;
  report.commit = desired.commit;
  report.actual_revision = actual.revision;
  const auto& d = desired.resources;
  const auto& a = actual.resources;
  std::size_t i = 0, j = 0;
  auto add = [&](std::optional<DriftItem> item) {
    if (item) report.items.push_back(std::move(*item));
  };
  while (i < d.size() || j < a.size()) {
    if (j == a.size() || (i < d.size() && d[i].key < a[j].resource.key)) {
      add(drift_of(&d[i++], nullptr));
    } else if (i == d.size() || a[j].resource.key < d[i].key) {
      add(drift_of(nullptr, &a[j++]));
    } else {
      add(drift_of(&d[i++], &a[j++]));
    }
  }
  return report;
}

DriftReport update_drift(DriftReport before, const model::DesiredState& desired, const model::ActualState& rows,
                         std::vector<model::ResourceKey> keys) {
  erase_keys(before.items, keys);
  for (const auto& key : keys) {
    auto d = std::lower_bound(desired.resources.begin(), desired.resources.end(), key,
                              [](const model::Resource& r, const model::ResourceKey& k) { return r.key < k; });
    auto a = std::lower_bound(
        rows.resources.begin(), rows.resources.end(), key,
        [](const model::ActualResource& r, const model::ResourceKey& k) { return r.resource.key < k; });
    const model::Resource* wanted = d != desired.resources.end() && d->key == key ? &*d : nullptr;
    const model::ActualResource* row = a != rows.resources.end() && a->resource.key == key ? &*a : nullptr;
    if (auto item = drift_of(wanted, row)) before.items.push_back(std::move(*item));
  }
  std::stable_sort(before.items.begin(), before.items.end(), key_less);
  before.actual_revision = rows.revision;
  return before;
}

DriftReport drift_after_apply(DriftReport before, const Plan& plan, std::int64_t revision) {
  std::vector<model::ResourceKey> changed;
  changed.reserve(plan.changes.size());
  for (const auto& change : plan.changes) changed.push_back(change.key);
  erase_keys(before.items, changed);
  before.actual_revision = revision;
  return before;
}

}  // namespace plumb::plan
