#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "reconciler/load/load.hpp"

namespace plumb::testing {

// Every *.yaml/*.yml below `root`, read as SourceFiles with paths relative to `root`.
std::vector<load::SourceFile> read_tree(const std::filesystem::path& root);

// The whole content of a file.
std::string read_text(const std::filesystem::path& path);

// The repository root (from the PLUMB_SOURCE_DIR compile definition).
std::filesystem::path source_dir();

}  // namespace plumb::testing
