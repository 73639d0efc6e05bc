// The bad-input corpus: tests/bad/<case>.yaml with tests/bad/<case>.expect beside it, or a
// folder tests/bad/<case>/ of several files with tests/bad/<case>/expect. Each expect line is
// `CODE [file:]line:column` (or just `CODE`): that diagnostic must be reported exactly there,
// and the input must never be valid.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "reconciler/load/load.hpp"
#include "tests/load/test_files.hpp"

using namespace plumb;
namespace fs = std::filesystem;

namespace {

struct Expectation {
  std::string code;
  std::string file;  // "" = the case's only file
  int line = 0;
  int column = 0;
};

std::vector<Expectation> read_expectations(const fs::path& path) {
  std::vector<Expectation> out;
  std::istringstream in(testing::read_text(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream words(line);
    Expectation e;
    std::string where;
    words >> e.code >> where;
    if (!where.empty()) {
      auto last = where.rfind(':');
      auto mid = where.rfind(':', last - 1);
      if (mid != std::string::npos) e.file = where.substr(0, mid);
      std::size_t line_start = mid == std::string::npos ? 0 : mid + 1;
      e.line = std::stoi(where.substr(line_start, last - line_start));
      e.column = std::stoi(where.substr(last + 1));
    }
    out.push_back(e);
  }
  return out;
}

void check_case(const std::string& name, const std::vector<load::SourceFile>& files,
                const std::vector<Expectation>& expected) {
  INFO("case " << name);
  load::LoadResult result = load::load(files, {});
  std::ostringstream got;
  for (const auto& d : result.diagnostics.items()) got << "  " << d.code << " " << d.location.str() << " " << d.message << "\n";
  INFO("reported:\n" << got.str());
  CHECK(result.diagnostics.has_errors());
  REQUIRE_FALSE(expected.empty());
  for (const auto& e : expected) {
    bool found = false;
    for (const auto& d : result.diagnostics.items()) {
      bool file_ok = e.file.empty() || d.location.file == e.file;
      bool pos_ok = e.line == 0 || (d.location.line == e.line && d.location.column == e.column);
      found = found || (d.code == e.code && file_ok && pos_ok);
    }
    INFO("expected " << e.code << " at " << e.file << ":" << e.line << ":" << e.column);
    CHECK(found);
  }
}

}  // namespace

TEST_CASE("every case of the bad-input corpus is reported with its code and location", "[load][bad]") {
  fs::path dir = testing::source_dir() / "tests" / "bad";
  std::size_t cases = 0;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir)) entries.push_back(entry.path());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    if (fs::is_directory(path)) {
      check_case(path.filename().string(), testing::read_tree(path), read_expectations(path / "expect"));
      ++cases;
    } else if (path.extension() == ".yaml") {
      fs::path expect = path;
      expect.replace_extension(".expect");
      REQUIRE(fs::exists(expect));
      std::vector<load::SourceFile> files{{path.filename().string(), testing::read_text(path)}};
      check_case(path.stem().string(), files, read_expectations(expect));
      ++cases;
    }
  }
  CHECK(cases >= 35);
}
