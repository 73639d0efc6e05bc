// The official JSON-Schema-Test-Suite (Debian package json-schema-test-suite) run against
// plumb's validator, for the keywords plumb supports. Debian 12 ships suite 2.0.0, whose newest
// draft is draft7; the files below test keywords whose meaning did not change in 2020-12
// (draft7 `definitions` is just a place for $ref targets). Cases that need what plumb's
// validator deliberately does not do are skipped by name in k_skips, each with the reason.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "reconciler/load/json_schema.hpp"

using nlohmann::json;
using plumb::load::JsonSchema;
namespace fs = std::filesystem;

namespace {

const fs::path k_suite = "/usr/share/json-schema-test-suite/tests/draft7";

// The keyword files run (paths under k_suite).
const char* const k_files[] = {
    "type.json",
    "properties.json",
    "required.json",
    "additionalProperties.json",
    "enum.json",
    "const.json",
    "pattern.json",
    "minLength.json",
    "maxLength.json",
    "minimum.json",
    "maximum.json",
    "items.json",
    "minItems.json",
    "maxItems.json",
    "uniqueItems.json",
    "ref.json",
    "boolean_schema.json",
    "optional/format/date-time.json",
    "optional/format/email.json",
};

// "file|group description" skips a whole group, "file|group|test" one test.
const std::map<std::string, std::string> k_skips = {
    // patternProperties is not supported (plumb's schemas do not use it).
    {"additionalProperties.json|additionalProperties being false does not allow other properties",
     "patternProperties"},
    {"additionalProperties.json|non-ASCII pattern with additionalProperties", "patternProperties"},
    {"properties.json|properties, patternProperties, additionalProperties interaction", "patternProperties"},
    // The array form of items is draft7 tuple validation (2020-12: prefixItems), not supported.
    {"items.json|an array of schemas for items", "tuple items"},
    {"items.json|items with boolean schemas", "tuple items"},
    {"items.json|items and subitems", "tuple items"},
    {"ref.json|relative pointer ref to array", "tuple items"},
    {"uniqueItems.json|uniqueItems with an array of items", "tuple items"},
    {"uniqueItems.json|uniqueItems with an array of items and additionalItems=false", "tuple items"},
    {"uniqueItems.json|uniqueItems=false with an array of items", "tuple items"},
    {"uniqueItems.json|uniqueItems=false with an array of items and additionalItems=false", "tuple items"},
    // In draft7 $ref ignores its siblings; in 2020-12 (plumb) they apply too.
    {"ref.json|ref overrides any sibling keywords", "draft7-only $ref semantics"},
    // Remote references and $id-based resolution are not supported (plumb's refs are local).
    {"ref.json|remote ref, containing refs itself", "remote $ref"},
    {"ref.json|Recursive references between schemas", "$id-relative $ref"},
};

json read_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

struct Tally {
  int passed = 0, failed = 0, skipped = 0;
};

void run_file(const std::string& file, Tally& tally) {
  json groups = read_json(k_suite / file);
  for (const json& group : groups) {
    std::string group_name = group["description"].get<std::string>();
    if (k_skips.count(file + "|" + group_name)) {
      tally.skipped += static_cast<int>(group["tests"].size());
      continue;
    }
    INFO(file << " | " << group_name << "\n  schema: " << group["schema"].dump());
    std::optional<JsonSchema> schema;
    try {
      schema.emplace(group["schema"]);
    } catch (const std::exception& e) {
      FAIL_CHECK("schema does not compile: " << e.what());
      tally.failed += static_cast<int>(group["tests"].size());
      continue;
    }
    for (const json& test : group["tests"]) {
      std::string test_name = test["description"].get<std::string>();
      if (k_skips.count(file + "|" + group_name + "|" + test_name)) {
        ++tally.skipped;
        continue;
      }
      bool valid = schema->validate(test["data"]).empty();
      INFO("  test: " << test_name << "  data: " << test["data"].dump());
      CHECK(valid == test["valid"].get<bool>());
      (valid == test["valid"].get<bool>() ? tally.passed : tally.failed) += 1;
    }
  }
}

}  // namespace

TEST_CASE("the validator passes the official JSON-Schema-Test-Suite for every supported keyword",
          "[schema][suite]") {
  REQUIRE(fs::is_directory(k_suite));  // scripts/install-deps.sh installs json-schema-test-suite
  Tally total;
  for (const char* file : k_files) {
    REQUIRE(fs::exists(k_suite / file));
    run_file(file, total);
  }
  WARN("JSON-Schema-Test-Suite: " << total.passed << " passed, " << total.failed << " failed, "
                                  << total.skipped << " skipped");
  CHECK(total.failed == 0);
  CHECK(total.passed >= 150);
}
