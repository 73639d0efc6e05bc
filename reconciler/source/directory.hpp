#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "reconciler/load/load.hpp"
#include "reconciler/model/diagnostics.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::source {

// The manifest files found under a root, and what was refused on the way (symlinks, files
// over the size limits), as diagnostics with the file's display path.
struct FileSet {
  std::vector<load::SourceFile> files;  // sorted by path
  model::Diagnostics diagnostics;
};

// Reads every `*.yaml` / `*.yml` file below `root` (hidden entries such as `.git` skipped).
// Symlinks are refused, never followed (a symlinked manifest or directory is an error
// SYMLINK_REFUSED); files over limits.max_file_bytes are refused before being read
// (FILE_TOO_LARGE), as are files past max_total_bytes / max_files. Paths are reported as
// `display_prefix` + "/" + the path relative to root ("" prefix: relative path alone).
// Fails (Error) only if the root itself is missing or not a directory.
Result<FileSet> read_directory(const std::filesystem::path& root, const load::LoadLimits& limits,
                               const std::string& display_prefix);

// The display prefix for a directory argument as the user typed it: "examples/" -> "examples",
// "." or "./" -> "".
std::string display_prefix_for(const std::string& argument);

}  // namespace plumb::source
