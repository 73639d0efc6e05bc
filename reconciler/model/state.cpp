#include "reconciler/model/state.hpp"

#include <algorithm>
#include <utility>

namespace plumb::model {

void replace_rows(ActualState& state, ActualState rows, std::vector<ResourceKey> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
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
