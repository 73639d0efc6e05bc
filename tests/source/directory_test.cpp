// read_directory: the manifests under a root, read on several threads, returned in path order,
// with the limits decided in path order before anything is read.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include "reconciler/source/directory.hpp"
#include "tests/source/git_fixture.hpp"

using namespace plumb;
using namespace plumb::source;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

bool has_code(const model::Diagnostics& diagnostics, const std::string& code, const std::string& file = "") {
  return std::any_of(diagnostics.items().begin(), diagnostics.items().end(), [&](const auto& d) {
    return d.code == code && (file.empty() || d.location.file == file);
  });
}

// `n` manifests in nested directories, each with content naming its own path.
std::vector<std::string> write_tree(const fs::path& root, int n) {
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) {
    const std::string rel = "tenants/t" + std::to_string(i % 7) + "/f" + std::to_string(i) + ".yaml";
    write(root / rel, "# " + rel + "\n" + std::string(static_cast<std::size_t>(i % 50), 'x') + "\n");
    paths.push_back(rel);
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

TEST_CASE("a directory's manifests come back whole and in path order, however many threads read them",
          "[source][directory]") {
  testing::TempDir dir("dir-order");
  const auto paths = write_tree(dir.path(), 700);  // enough for every reader thread
  write(dir.path() / "README.md", "not a manifest");
  write(dir.path() / ".hidden" / "x.yaml", "skipped: hidden directory");
  auto set = read_directory(dir.path(), load::LoadLimits{}, "config");
  REQUIRE(set);
  CHECK_FALSE(set->diagnostics.has_errors());
  REQUIRE(set->files.size() == paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    CHECK(set->files[i].path == "config/" + paths[i]);
    const std::size_t n = std::stoul(paths[i].substr(paths[i].rfind('f') + 1));
    CHECK(set->files[i].content == "# " + paths[i] + "\n" + std::string(n % 50, 'x') + "\n");
  }
}

TEST_CASE("directory limits are decided in path order: a large file is skipped, the total and the count stop the rest",
          "[source][directory]") {
  testing::TempDir dir("dir-limits");
  write(dir.path() / "a.yaml", std::string(100, 'a'));
  write(dir.path() / "b.yaml", std::string(5000, 'b'));  // over max_file_bytes: refused, the rest go on
  write(dir.path() / "c.yaml", std::string(100, 'c'));
  write(dir.path() / "d.yaml", std::string(900, 'd'));  // takes the total past max_total_bytes: stops here
  write(dir.path() / "e.yaml", std::string(10, 'e'));

  load::LoadLimits limits;
  limits.max_file_bytes = 1000;
  limits.max_total_bytes = 1000;
  auto capped = read_directory(dir.path(), limits, "");
  REQUIRE(capped);
  CHECK(has_code(capped->diagnostics, "FILE_TOO_LARGE", "b.yaml"));
  CHECK(has_code(capped->diagnostics, "TOTAL_SIZE_EXCEEDED", "d.yaml"));
  REQUIRE(capped->files.size() == 2);
  CHECK(capped->files[0].path == "a.yaml");
  CHECK(capped->files[1].path == "c.yaml");
  CHECK(capped->files[1].content == std::string(100, 'c'));

  limits = load::LoadLimits{};
  limits.max_files = 3;
  auto counted = read_directory(dir.path(), limits, "");
  REQUIRE(counted);
  CHECK(has_code(counted->diagnostics, "TOO_MANY_FILES", "d.yaml"));
  REQUIRE(counted->files.size() == 3);
  CHECK(counted->files[2].path == "c.yaml");
}

TEST_CASE("a symlinked manifest is refused among files read in parallel, and the others are still read",
          "[source][directory]") {
  testing::TempDir dir("dir-symlink");
  const auto paths = write_tree(dir.path(), 200);
  write(dir.path() / "outside.txt", "kind: Secret");
  fs::create_symlink(dir.path() / "outside.txt", dir.path() / "tenants" / "t0" / "linked.yaml");
  auto set = read_directory(dir.path(), load::LoadLimits{}, "");
  REQUIRE(set);
  CHECK(has_code(set->diagnostics, "SYMLINK_REFUSED", "tenants/t0/linked.yaml"));
  CHECK(set->files.size() == paths.size());
  CHECK(std::none_of(set->files.begin(), set->files.end(),
                     [](const load::SourceFile& f) { return f.content.find("Secret") != std::string::npos; }));
}

TEST_CASE("a missing root or a file as root is an error, not an empty set", "[source][directory]") {
  testing::TempDir dir("dir-root");
  CHECK(read_directory(dir.path() / "absent", load::LoadLimits{}, "").error().code == "DIRECTORY_NOT_FOUND");
  write(dir.path() / "file.yaml", "x");
  CHECK(read_directory(dir.path() / "file.yaml", load::LoadLimits{}, "").error().code == "NOT_A_DIRECTORY");
}
