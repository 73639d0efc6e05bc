// Golden files for what `plumb validate` prints in its three formats (text, json, github):
// tests/golden/validate/config/ is a small repo with one mistake of each family, expected.* hold
// the rendered diagnostics. Rewrite them with UPDATE_GOLDEN=1 after an intended change.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "reconciler/load/load.hpp"
#include "reconciler/load/render_diagnostics.hpp"
#include "tests/load/test_files.hpp"

using namespace plumb;

namespace {

const std::filesystem::path k_dir = testing::source_dir() / "tests" / "golden" / "validate";

void compare(const std::string& name, const std::string& actual) {
  const auto path = k_dir / name;
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  INFO("golden file " << path.string() << " (UPDATE_GOLDEN=1 rewrites it)");
  CHECK(testing::read_text(path) == actual);
}

}  // namespace

TEST_CASE("validate renders the same diagnostics as text, JSON and GitHub annotations", "[load][golden]") {
  const auto files = testing::read_tree(k_dir / "config");
  REQUIRE(files.size() == 3);
  const load::LoadResult result = load::load(files, load::LoadLimits{});
  REQUIRE(result.diagnostics.has_errors());
  compare("expected.txt", load::render_diagnostics_text(result.diagnostics, false));
  compare("expected.json", load::render_diagnostics_json(result.diagnostics));
  compare("expected.github", load::render_diagnostics_github(result.diagnostics));
}
