#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reconciler/load/render_diagnostics.hpp"

using namespace plumb;

namespace {

model::Diagnostics sample() {
  model::Diagnostics d;
  d.error("UNKNOWN_FIELD", "unknown field 'displayname'", {"tenants/a,b.yaml", 6, 3}, "spec.displayname",
          "did you mean `displayName`?");
  d.warning("DEPRECATED", "100% sure\nsecond line", {"x.yaml", 1, 1});
  return d;
}

}  // namespace

TEST_CASE("text diagnostics show location, code, path and hint", "[load][render]") {
  std::string text = load::render_diagnostics_text(sample(), false);
  CHECK(text ==
        "tenants/a,b.yaml:6:3: error[UNKNOWN_FIELD]: unknown field 'displayname'\n"
        "  at spec.displayname\n"
        "  hint: did you mean `displayName`?\n"
        "x.yaml:1:1: warning[DEPRECATED]: 100% sure\nsecond line\n");
  CHECK(load::render_diagnostics_text(sample(), true).find("\033[") != std::string::npos);
}

TEST_CASE("JSON diagnostics are a stable versioned document", "[load][render]") {
  auto doc = nlohmann::json::parse(load::render_diagnostics_json(sample()));
  CHECK(doc["version"] == 1);
  CHECK(doc["valid"] == false);
  CHECK(doc["errors"] == 1);
  CHECK(doc["warnings"] == 1);
  CHECK(doc["diagnostics"][0]["line"] == 6);
  CHECK(doc["diagnostics"][0]["path"] == "spec.displayname");
}

TEST_CASE("GitHub annotations escape properties and data as GitHub requires", "[load][render]") {
  CHECK(load::render_diagnostics_github(sample()) ==
        "::error file=tenants/a%2Cb.yaml,line=6,col=3,title=UNKNOWN_FIELD::unknown field 'displayname' (at "
        "spec.displayname); hint: did you mean `displayName`?\n"
        "::warning file=x.yaml,line=1,col=1,title=DEPRECATED::100%25 sure%0Asecond line\n");
}
