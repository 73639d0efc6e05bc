#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "reconciler/model/resource.hpp"

namespace plumb::model {

// What Git says should exist. `resources` is sorted by key and keys are unique (the loader
// guarantees both; duplicates are diagnostics, never silently merged).
struct DesiredState {
  std::string commit;  // Git commit id, or "" for a plain directory
  std::vector<Resource> resources;
};

// A row of the platform database as plumb sees it.
struct ActualResource {
  Resource resource;        // spec rebuilt from typed columns, in the same canonical form
  bool managed = false;     // managed_by = 'plumb': plumb created it and may update/prune it
  bool deleted = false;     // soft-deleted (tenants, workspaces): deactivated, kept for history
  std::string source_file;  // provenance recorded at apply time
  std::string commit;
};

// What the database says exists, read in one snapshot. `revision` is the value of the change
// counter in that snapshot; apply refuses a plan whose revision has moved.
struct ActualState {
  std::int64_t revision = 0;
  std::vector<ActualResource> resources;  // sorted by key, unique
};

// `state` with the rows of `keys` replaced by `rows`, the current rows of those keys (a key
// absent from `rows` has no row any more): what a full read would return if only those rows
// changed since `state` was read. `rows.revision` becomes the state's revision. `rows` must be
// sorted by key. Logarithmic per key when every key keeps its row (or has none either side),
// linear in the size of `state` when one gained or lost it.
void replace_rows(ActualState& state, ActualState rows, std::vector<ResourceKey> keys);

}  // namespace plumb::model
