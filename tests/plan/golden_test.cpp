// Golden plans: tests/golden/<case>/{desired.json, actual.json} in, {plan.txt, plan.json,
// plan.md} out. UPDATE_GOLDEN=1 rewrites the outputs; review their diff like code.
//   desired.json: {"commit": "...", "resources": [<resource>...]}
//   actual.json:  {"revision": N, "resources": [<resource> + "managed": bool, "deleted": bool]}
//   policy.json (optional): {"per_kind": {"Tenant": "observe"}, "max_delete_fraction": 0.25,
//                            "allow_mass_delete": false}
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "reconciler/plan/plan_record.hpp"
#include "reconciler/plan/render.hpp"

using namespace plumb;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

model::Resource resource(const json& j) {
  auto r = plan::resource_from_json(j);
  REQUIRE(r);
  return *r;
}

void compare(const fs::path& path, const std::string& got) {
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  INFO("golden file " << path.string() << " (UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE(fs::exists(path));
  CHECK(read(path) == got);
}

}  // namespace

TEST_CASE("every golden case renders exactly as recorded", "[golden]") {
  fs::path root = fs::path(PLUMB_SOURCE_DIR) / "tests" / "golden";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    // tests/golden/validate holds validate's goldens (tests/load/validate_golden_test.cpp).
    if (e.is_directory() && fs::exists(e.path() / "desired.json")) cases.push_back(e.path());
  }
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() >= 6);
  for (const fs::path& dir : cases) {
    INFO("case " << dir.filename().string());
    json d = json::parse(read(dir / "desired.json"));
    json a = json::parse(read(dir / "actual.json"));
    model::DesiredState desired{d.value("commit", ""), {}};
    for (const auto& r : d["resources"]) desired.resources.push_back(resource(r));
    model::ActualState actual{a.value("revision", 0), {}};
    for (const auto& r : a["resources"]) {
      model::ActualResource row;
      row.resource = resource(r);
      row.managed = r.value("managed", true);
      row.deleted = r.value("deleted", false);
      actual.resources.push_back(std::move(row));
    }
    auto by_key = [](const auto& x, const auto& y) { return x.key < y.key; };
    std::sort(desired.resources.begin(), desired.resources.end(), by_key);
    std::sort(actual.resources.begin(), actual.resources.end(),
              [](const auto& x, const auto& y) { return x.resource.key < y.resource.key; });
    plan::PlanPolicy policy;
    if (fs::exists(dir / "policy.json")) {
      json p = json::parse(read(dir / "policy.json"));
      const json per_kind = p.value("per_kind", json::object());
      for (const auto& item : per_kind.items()) {
        policy.per_kind[*model::parse_kind(item.key())] = *model::parse_policy(item.value().get<std::string>());
      }
      policy.max_delete_fraction = p.value("max_delete_fraction", 0.25);
      policy.allow_mass_delete = p.value("allow_mass_delete", false);
    }
    plan::Plan result = plan::make_plan(desired, actual, policy);
    compare(dir / "plan.txt", plan::render_plan_text(result, false));
    compare(dir / "plan.json", plan::plan_to_json(result).dump(2) + "\n");
    compare(dir / "plan.md", plan::render_plan_markdown(result));
  }
}
