// The embedded manifest schemas (schemas/*.schema.json): they compile under the strict keyword
// set, match the files in the tree, document every property, keep their shared definitions
// identical, and map failures onto located diagnostics like manifest.cpp's.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "reconciler/load/codes.hpp"
#include "reconciler/load/load.hpp"
#include "reconciler/load/schema_registry.hpp"
#include "reconciler/load/yaml_reader.hpp"

using namespace plumb;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json embedded(model::Kind kind) {
  for (const auto& f : load::schema_files()) {
    if (f.path == load::schema_path(kind)) return json::parse(f.content);
  }
  FAIL("not embedded: " << load::schema_path(kind));
  return {};
}

// Every object under a "properties" keyword, with its pointer.
void each_property(const json& schema, const std::string& at,
                   std::vector<std::pair<std::string, const json*>>& out) {
  if (!schema.is_object()) return;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    std::string child = at + "/" + it.key();
    if (it.key() == "properties" && it.value().is_object()) {
      for (auto p = it.value().begin(); p != it.value().end(); ++p)
        out.emplace_back(child + "/" + p.key(), &p.value());
    }
    each_property(it.value(), child, out);
  }
}

model::Diagnostics check(const std::string& yaml, model::Kind kind) {
  model::Diagnostics diagnostics;
  auto documents = load::read_yaml(yaml, "m.yaml", {}, diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  REQUIRE(documents.size() == 1);
  load::check_schema(documents[0], kind, "m.yaml", diagnostics);
  return diagnostics;
}

const model::Diagnostic* find(const model::Diagnostics& diagnostics, const std::string& code) {
  for (const auto& d : diagnostics.items()) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("every kind's embedded schema compiles with only the supported keywords", "[schema]") {
  for (model::Kind kind : model::k_all_kinds) {
    INFO(load::schema_path(kind));
    CHECK_NOTHROW(load::JsonSchema(embedded(kind), true));
    CHECK(&load::manifest_schema(kind).root() != nullptr);
  }
}

TEST_CASE("the embedded schemas are the files in schemas/", "[schema]") {
  std::set<std::string> on_disk;
  for (const auto& entry : fs::directory_iterator(fs::path(PLUMB_SOURCE_DIR) / "schemas")) {
    if (entry.path().filename().string().ends_with(".schema.json")) {
      on_disk.insert("schemas/" + entry.path().filename().string());
    }
  }
  std::set<std::string> compiled_in;
  for (const auto& f : load::schema_files()) {
    compiled_in.insert(std::string(f.path));
    CHECK(read_text(fs::path(PLUMB_SOURCE_DIR) / f.path) == f.content);
  }
  CHECK(on_disk == compiled_in);
  CHECK(compiled_in.size() == model::k_all_kinds.size());
}

TEST_CASE("every schema declares draft 2020-12, its $id, the kind and a description for every property",
          "[schema]") {
  for (model::Kind kind : model::k_all_kinds) {
    json schema = embedded(kind);
    INFO(load::schema_path(kind));
    CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
    CHECK(schema["$id"].get<std::string>().ends_with(load::schema_path(kind).substr(8)));
    CHECK(schema["properties"]["kind"]["const"] == std::string(model::kind_name(kind)));
    CHECK(schema["properties"]["apiVersion"]["const"] == "plumb.dev/v1");
    std::vector<std::pair<std::string, const json*>> properties;
    each_property(schema, "", properties);
    CHECK(properties.size() >= 8);
    for (const auto& [pointer, property] : properties) {
      INFO(pointer);
      CHECK(property->contains("description"));
    }
  }
}

TEST_CASE("definitions shared by several schemas are identical in each", "[schema]") {
  std::map<std::string, json> first;
  for (model::Kind kind : model::k_all_kinds) {
    json schema = embedded(kind);
    for (auto it = schema["$defs"].begin(); it != schema["$defs"].end(); ++it) {
      if (it.key() == "metadata" || it.key() == "spec") continue;  // per kind by design
      INFO(load::schema_path(kind) << " $defs/" << it.key());
      auto [at, inserted] = first.emplace(it.key(), it.value());
      if (!inserted) CHECK(at->second == it.value());
    }
  }
  CHECK(first.count("slug") == 1);
}

TEST_CASE("schema failures become located diagnostics with manifest.cpp's codes", "[schema][load]") {
  auto d = check(
      "apiVersion: plumb.dev/v2\n"
      "kind: Tenant\n"
      "metadata:\n"
      "  name: Acme\n"
      "  annotations: {plumb.dev/policy: sometimes}\n"
      "spec:\n"
      "  displayName: 42\n"
      "  plan: gold\n"
      "  colour: blue\n",
      model::Kind::tenant);
  const model::Diagnostic* e = nullptr;
  REQUIRE((e = find(d, load::codes::k_unsupported_api_version)) != nullptr);
  CHECK(e->location.str() == "m.yaml:1:13");
  REQUIRE((e = find(d, load::codes::k_invalid_name)) != nullptr);
  CHECK(e->location.str() == "m.yaml:4:9");
  CHECK(e->path == "metadata.name");
  CHECK(e->hint.find("lower-case") != std::string::npos);
  REQUIRE((e = find(d, load::codes::k_invalid_policy)) != nullptr);
  CHECK(e->path == "metadata.annotations[\"plumb.dev/policy\"]");
  REQUIRE((e = find(d, load::codes::k_expected_string)) != nullptr);
  CHECK(e->location.str() == "m.yaml:7:16");
  REQUIRE((e = find(d, load::codes::k_invalid_value)) != nullptr);
  CHECK(e->path == "spec.plan");
  REQUIRE((e = find(d, load::codes::k_unknown_field)) != nullptr);
  CHECK(e->location.str() == "m.yaml:9:3");
  CHECK(e->message == "unknown field 'colour'");
  CHECK(e->hint.find("adminEmail, displayName, plan, status") != std::string::npos);
  REQUIRE((e = find(d, load::codes::k_missing_field)) != nullptr);
  CHECK(e->path == "spec.adminEmail");
  CHECK(e->location.str() == "m.yaml:7:3");
  CHECK(d.size() == 7);
}

TEST_CASE("schema checks of list items, integers and durations point at the item", "[schema][load]") {
  auto pipeline = check(
      "apiVersion: plumb.dev/v1\nkind: Pipeline\nmetadata: {name: orders, tenant: acme, workspace: main}\n"
      "spec:\n  source: {type: http}\n  integrations:\n    - {name: a, revision: 0}\n",
      model::Kind::pipeline);
  REQUIRE(pipeline.size() == 1);
  CHECK(pipeline.items()[0].code == load::codes::k_out_of_range);
  CHECK(pipeline.items()[0].path == "spec.integrations[0].revision");
  CHECK(pipeline.items()[0].message == "revision must be at least 1");
  CHECK(pipeline.items()[0].location.str() == "m.yaml:7:27");
  auto token = check(
      "apiVersion: plumb.dev/v1\nkind: ApiToken\nmetadata: {name: ci-token, tenant: acme}\n"
      "spec:\n  role: viewer\n  ttl: 7d\n",
      model::Kind::api_token);
  REQUIRE(token.size() == 1);
  CHECK(token.items()[0].code == load::codes::k_invalid_duration);
  auto role = check(
      "apiVersion: plumb.dev/v1\nkind: Role\nmetadata: {name: ops, tenant: acme}\n"
      "spec:\n  permissions: [\"pipelines:read\", \"pipelines:read\", \"x:y\"]\n",
      model::Kind::role);
  CHECK(find(role, load::codes::k_duplicate_item) != nullptr);
  CHECK(find(role, load::codes::k_invalid_permission)->path == "spec.permissions[2]");
}

TEST_CASE("YAML scalars reach the schema with the types manifest.cpp gives them", "[schema][load]") {
  model::Diagnostics diagnostics;
  auto documents =
      load::read_yaml("a: '1'\nb: 1\nc: true\nd: 1.5\ne: ~\nf: 7d\ng: [x]\n", "t.yaml", {}, diagnostics);
  REQUIRE(documents.size() == 1);
  CHECK(load::to_json(documents[0]) ==
        json::parse(R"({"a": "1", "b": 1, "c": true, "d": 1.5, "e": null, "f": "7d", "g": ["x"]})"));
}

TEST_CASE("the loader reports a finding only the schema makes, once, at the field", "[schema][load]") {
  std::string yaml =
      "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: acme\nspec:\n  displayName: Acme\n"
      "  plan: starter\n  adminEmail: ops@acme..example.com\n";
  load::ParsedFile parsed = load::parse_file({"t.yaml", yaml}, {});
  REQUIRE(parsed.diagnostics.size() == 1);
  const model::Diagnostic& d = parsed.diagnostics.items()[0];
  CHECK(d.code == load::codes::k_invalid_email);
  CHECK(d.location.str() == "t.yaml:8:15");
  CHECK(d.path == "spec.adminEmail");
  CHECK(d.message == "\"ops@acme..example.com\" is not an e-mail address");
}

TEST_CASE("the loader does not repeat manifest.cpp's findings through the schema", "[schema][load]") {
  std::string yaml =
      "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: acme\nspec:\n  displayName: Acme\n"
      "  plan: gold\n  adminEmail: ops@acme.example.com\n  colour: blue\n";
  load::ParsedFile parsed = load::parse_file({"t.yaml", yaml}, {});
  CHECK(parsed.diagnostics.size() == 2);  // INVALID_VALUE and UNKNOWN_FIELD, each once
}
