#include "reconciler/model/state.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace plumb::model {

namespace {

// Where the row of `key` is in `rows` (sorted by key), or nullopt.
std::optional<std::size_t> position(const std::vector<ActualResource>& rows, const ResourceKey& key) {
  auto it = std::lower_bound(rows.begin(), rows.end(), key,
                             [](const ActualResource& r, const ResourceKey& k) { return r.resource.key < k; });
  if (it == rows.end() || !(it->resource.key == key)) return std::nullopt;
  return static_cast<std::size_t>(it - rows.begin());
}

// The common case, every named key an update (a row before and after, or neither): the rows are
// assigned where they are, and the other 100k stay put. False, with `state` untouched, when a
// key gained or lost its row.
bool replace_in_place(ActualState& state, ActualState& rows, const std::vector<ResourceKey>& keys) {
  std::vector<std::pair<std::size_t, std::size_t>> places;
  for (const auto& key : keys) {
    const auto before = position(state.resources, key);
    const auto after = position(rows.resources, key);
    if (before.has_value() != after.has_value()) return false;
    if (before) places.emplace_back(*before, *after);
  }
  for (const auto& [at, from] : places) state.resources[at] = std::move(rows.resources[from]);
  return true;
}

}  // namespace

void replace_rows(ActualState& state, ActualState rows, std::vector<ResourceKey> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (replace_in_place(state, rows, keys)) {
    state.revision = rows.revision;
    return;
  }
  std::vector<ActualResource> merged;
  merged.reserve(state.resources.size() + rows.resources.size());
  auto replaced = [&](const ResourceKey& key) { return std::binary_search(keys.begin(), keys.end(), key); };
  auto old_row = state.resources.begin();
  auto new_row = rows.resources.begin();
  // Both sequences are sorted: a merge keeps the result sorted without sorting 100k rows again.
  while (old_row != state.resources.end() || new_row != rows.resources.end()) {
    if (old_row != state.resources.end() && replaced(old_row->resource.key)) {
      ++old_row;  // its current row, if any, comes from `rows`
    } else if (new_row != rows.resources.end() && !replaced(new_row->resource.key)) {
      ++new_row;  // a row nobody asked about: `state` already says what it knows of it
    } else if (new_row == rows.resources.end() ||
               (old_row != state.resources.end() && old_row->resource.key < new_row->resource.key)) {
      merged.push_back(std::move(*old_row++));
    } else {
      merged.push_back(std::move(*new_row++));
    }
  }
  state.resources = std::move(merged);
  state.revision = rows.revision;
}

}  // namespace plumb::model
