#pragma once
// Internal to plumb_source: reading the manifests of a commit's tree, shared by the remote
// Git source and read_ref_tree.
#include <string_view>

#include "reconciler/source/git_handles.hpp"
#include "reconciler/source/snapshot.hpp"

namespace plumb::source::detail {

// Reads every `*.yaml`/`*.yml` blob under `subpath` (normalised) of `commit`'s tree into a
// Snapshot, straight from the object database. Symlinks, submodules and odd entry names are
// refused with diagnostics and never read; a blob's size is checked from its header before
// its content is loaded. Entries whose name starts with '.' (.git, .github) are skipped.
// Fails only if the object database itself fails.
// With `previous` (a snapshot this function read from the same repository, subpath and limits),
// a directory whose tree id is unchanged is taken from it instead of read again, and so is a
// file whose blob id is unchanged: the result is the same, at the cost of the changes only.
// Reuse::copy leaves `previous` intact; Reuse::consume moves the reused files' contents out of
// it (at 100k resources, 57 MB not copied): the caller must drop it afterwards, whatever the
// outcome.
enum class Reuse { copy, consume };
Result<Snapshot> read_commit_files(git_repository* repo, git_commit* commit, std::string_view subpath,
                                   const load::LoadLimits& limits, Snapshot* previous = nullptr,
                                   Reuse reuse = Reuse::copy);

}  // namespace plumb::source::detail
