#pragma once
#include <string>
#include <string_view>

#include "reconciler/load/load.hpp"
#include "reconciler/source/snapshot.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::source {

// For `plumb plan DIR --base REF`: the manifests that directory `dir` (inside a Git working
// tree, found by walking up to `.git`) holds at `ref` (anything `git rev-parse` accepts:
// main, origin/main, v1.2, HEAD~1, a commit id). Paths are relative to `dir`, exactly as a
// directory source reports them, so the two snapshots compare file for file. Offline: never
// fetches. Terminal NOT_A_REPOSITORY / REF_NOT_FOUND errors.
Result<Snapshot> read_ref_tree(const std::string& dir, std::string_view ref, const load::LoadLimits& limits);

// Same, with the repository and the subdirectory given separately (`subpath` relative to the
// repository's root; `..` refused).
Result<Snapshot> read_ref_tree(const std::string& repo_dir, std::string_view ref, std::string_view subpath,
                               const load::LoadLimits& limits);

}  // namespace plumb::source
