// tests/schema-fixtures/{valid,invalid}/<kind>-<case>.json: plumb's validator must accept every
// valid fixture and reject every invalid one against the schema of <kind>; the loader (strict
// YAML reader + manifest.cpp + schema gate) must agree. scripts/checks/10-schemas.sh checks
// that ajv agrees on the same files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "reconciler/load/load.hpp"
#include "reconciler/load/schema_registry.hpp"

using namespace plumb;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path k_fixtures = fs::path(PLUMB_SOURCE_DIR) / "tests" / "schema-fixtures";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> fixtures(const std::string& folder) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(k_fixtures / folder)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "apitoken-with-ttl.json" -> Kind::api_token.
model::Kind kind_of(const fs::path& path) {
  std::string prefix = path.filename().string().substr(0, path.filename().string().find('-'));
  for (model::Kind kind : model::k_all_kinds) {
    if (load::schema_path(kind) == "schemas/" + prefix + ".schema.json") return kind;
  }
  FAIL("fixture name does not start with a kind: " << path);
  return model::Kind::tenant;
}

std::string describe(const std::vector<load::SchemaError>& errors) {
  std::string out;
  for (const auto& e : errors) out += "  " + e.instance_path + " " + e.keyword + ": " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("every valid fixture passes its kind's schema and loads without a diagnostic",
          "[schema][fixtures]") {
  auto files = fixtures("valid");
  REQUIRE(files.size() >= 10);
  for (const auto& path : files) {
    INFO(path.filename().string());
    std::string text = read_text(path);
    auto errors = load::manifest_schema(kind_of(path)).validate(json::parse(text));
    INFO(describe(errors));
    CHECK(errors.empty());
    load::ParsedFile parsed = load::parse_file({path.filename().string(), text}, {});
    for (const auto& d : parsed.diagnostics.items())
      UNSCOPED_INFO(d.code << " " << d.location.str() << " " << d.message);
    CHECK(parsed.diagnostics.empty());
  }
}

TEST_CASE("every invalid fixture fails its kind's schema and is refused by the loader",
          "[schema][fixtures]") {
  auto files = fixtures("invalid");
  REQUIRE(files.size() >= 15);
  for (const auto& path : files) {
    INFO(path.filename().string());
    std::string text = read_text(path);
    CHECK_FALSE(load::manifest_schema(kind_of(path)).validate(json::parse(text)).empty());
    CHECK(load::parse_file({path.filename().string(), text}, {}).diagnostics.has_errors());
  }
}
