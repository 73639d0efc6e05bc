#pragma once
#include <map>
#include <string>
#include <vector>

#include "reconciler/load/load.hpp"
#include "reconciler/model/diagnostics.hpp"

namespace plumb::source {

// The manifests of one revision, read but not parsed. `files` are sorted by path (relative to
// the configured root, forward slashes) and `blob_ids[i]` is the Git blob id of `files[i]`
// (a content hash for sources without Git). `diagnostics` holds what the source refused
// (symlinks, submodules, oversized files); any error there makes the revision invalid.
struct Snapshot {
  std::string commit;  // full commit id, "" for a plain directory
  std::string author;  // the commit's author "Name <email>" (audit actor), "" for a directory
  std::vector<load::SourceFile> files;
  std::vector<std::string> blob_ids;
  model::Diagnostics diagnostics;
  std::size_t total_bytes = 0;
  // Git only: the tree id of every directory read ("" for the root, else "dir/sub/"), so the
  // next revision's read can take a directory whose tree id is unchanged from this snapshot.
  std::map<std::string, std::string> tree_ids;
};

// Diagnostic codes a source emits (CLI contract: add, never rename).
inline constexpr const char* k_code_symlink = "SYMLINK_REFUSED";  // same code as read_directory
inline constexpr const char* k_code_submodule = "SUBMODULE_REFUSED";
inline constexpr const char* k_code_bad_name = "SOURCE_BAD_NAME";
inline constexpr const char* k_code_path_not_found = "SOURCE_PATH_NOT_FOUND";
inline constexpr const char* k_code_file_too_large = "FILE_TOO_LARGE";
inline constexpr const char* k_code_total_too_large = "TOTAL_SIZE_EXCEEDED";
inline constexpr const char* k_code_too_many_files = "TOO_MANY_FILES";

// Prefixes every file path and diagnostic location with `prefix` + "/" (nothing if empty),
// so a snapshot read relative to a directory shows paths as the user typed the directory.
void apply_display_prefix(Snapshot& snapshot, const std::string& prefix);

}  // namespace plumb::source
