#include "tests/load/test_files.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace plumb::testing {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<load::SourceFile> read_tree(const std::filesystem::path& root) {
  std::vector<load::SourceFile> files;
  for (auto it = std::filesystem::recursive_directory_iterator(root); it != std::filesystem::recursive_directory_iterator();
       ++it) {
    const auto& entry = *it;
    // Hidden paths (.github, .gitlab-ci.yml) are not configuration, as in source/directory.cpp.
    if (entry.path().filename().string().front() == '.') {
      if (entry.is_directory()) it.disable_recursion_pending();
      continue;
    }
    auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    files.push_back({entry.path().lexically_relative(root).generic_string(), read_text(entry.path())});
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return files;
}

std::filesystem::path source_dir() { return PLUMB_SOURCE_DIR; }

}  // namespace plumb::testing
