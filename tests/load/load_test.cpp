#include <catch2/catch.hpp>

#include "reconciler/load/load.hpp"
#include "tests/load/test_files.hpp"

using namespace plumb;

namespace {

load::LoadResult load_text(const std::string& text) {
  std::vector<load::SourceFile> files{{"m.yaml", text}};
  return load::load(files, {});
}

bool has_code(const load::LoadResult& r, const std::string& code) {
  for (const auto& d : r.diagnostics.items()) {
    if (d.code == code) return true;
  }
  return false;
}

const char* k_tenant = R"(apiVersion: plumb.dev/v1
kind: Tenant
metadata:
  name: acme
spec:
  displayName: Acme
  plan: starter
  adminEmail: a@acme.example.com
)";

}  // namespace

TEST_CASE("the examples repository loads with no diagnostics", "[load]") {
  auto files = testing::read_tree(testing::source_dir() / "examples");
  REQUIRE(files.size() >= 10);
  auto result = load::load(files, {});
  for (const auto& d : result.diagnostics.items()) INFO(d.location.str() << " " << d.code << " " << d.message);
  CHECK(result.diagnostics.empty());
  CHECK(result.desired.resources.size() >= 20);
}

TEST_CASE("a tenant gets its defaults filled in canonical form", "[load]") {
  auto r = load_text(k_tenant);
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.desired.resources.size() == 1);
  const auto& t = r.desired.resources[0];
  CHECK(t.key.kind == model::Kind::tenant);
  CHECK(t.spec["status"] == "active");
  CHECK(t.source.file == "m.yaml");
  CHECK(t.source.line == 2);
  CHECK(t.source.column == 1);
}

TEST_CASE("sets are sorted and timestamps normalised so equal meaning compares equal", "[load]") {
  std::string text = std::string(k_tenant) + R"(---
apiVersion: plumb.dev/v1
kind: Workspace
metadata: {name: ws1, tenant: acme}
spec:
  displayName: W
  capabilities: [storage, postgres]
---
apiVersion: plumb.dev/v1
kind: ApiToken
metadata: {name: bot, tenant: acme}
spec:
  role: viewer
  expiresAt: "2027-01-01T02:00:00+02:00"
)";
  auto r = load_text(text);
  for (const auto& d : r.diagnostics.items()) INFO(d.location.str() << " " << d.code << " " << d.message);
  REQUIRE(r.diagnostics.empty());
  REQUIRE(r.desired.resources.size() == 3);
  // Sorted by key: tenant, workspace, token (dependency order).
  CHECK(r.desired.resources[1].spec["capabilities"] == model::Json::array({"postgres", "storage"}));
  CHECK(r.desired.resources[2].spec["expiresAt"] == "2027-01-01T00:00:00Z");
  CHECK(r.desired.resources[2].spec["rotation"] == 0);
}

TEST_CASE("problems in one file never hide those of another", "[load]") {
  std::vector<load::SourceFile> files{{"a.yaml", "kind: [\n"}, {"b.yaml", "apiVersion: plumb.dev/v2\nkind: Tenant\n"}};
  auto r = load::load(files, {});
  bool a = false, b = false;
  for (const auto& d : r.diagnostics.items()) {
    a = a || d.location.file == "a.yaml";
    b = b || d.location.file == "b.yaml";
  }
  CHECK(a);
  CHECK(b);
}

TEST_CASE("loading is deterministic whatever the number of files", "[load]") {
  std::vector<load::SourceFile> files;
  for (int i = 0; i < 100; ++i) {
    std::string name = "t" + std::to_string(1000 + i);
    files.push_back({name + ".yaml", "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata: {name: " + name +
                                         "}\nspec: {displayName: X, plan: growth, adminEmail: x@y.example}\n"});
  }
  files.push_back({"dup.yaml", files[5].content});
  auto first = load::load(files, {});
  auto second = load::load(files, {});
  REQUIRE(first.desired.resources.size() == 100);
  CHECK(first.diagnostics.size() == 1);
  CHECK(first.diagnostics.items()[0].code == "DUPLICATE_RESOURCE");
  for (std::size_t i = 0; i < 100; ++i) {
    CHECK(first.desired.resources[i].canonical() == second.desired.resources[i].canonical());
  }
}

TEST_CASE("total size and file count limits are enforced across files", "[load]") {
  load::LoadLimits limits;
  limits.max_total_bytes = 300;
  limits.max_files = 10;
  std::vector<load::SourceFile> files(3, {"x.yaml", std::string(k_tenant)});
  CHECK(has_code(load::load(files, limits), "TOTAL_SIZE_EXCEEDED"));
  limits.max_total_bytes = 1 << 20;
  limits.max_files = 2;
  CHECK(has_code(load::load(files, limits), "TOO_MANY_FILES"));
}

TEST_CASE("a plain scalar that YAML 1.1 reads as a boolean or number is not taken as a string", "[load]") {
  std::string text = k_tenant;
  auto replaced = text.replace(text.find("Acme"), 4, "yes");
  auto r = load_text(replaced);
  CHECK(has_code(r, "EXPECTED_STRING"));
  auto r2 = load_text(std::string(k_tenant).replace(std::string(k_tenant).find("Acme"), 4, "\"yes\""));
  CHECK(r2.diagnostics.empty());
}
