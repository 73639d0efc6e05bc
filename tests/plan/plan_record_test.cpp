#include <catch2/catch.hpp>

#include "reconciler/plan/plan_record.hpp"
#include "tests/plan/fixtures.hpp"

using namespace plumb;
using namespace plumb::testing;
using nlohmann::json;

TEST_CASE("a saved plan reads back as the same plan", "[plan][record]") {
  auto changed = tenant("acme", "growth");
  auto p = plan::make_plan(desired({changed, token("acme", "bot"), tenant("new")}),
                           actual({managed(tenant("acme")), managed(tenant("old")), managed(tenant("older"))}, 42),
                           policy());
  json doc = plan::plan_to_json(p);
  auto back = plan::plan_from_json(json::parse(doc.dump()));
  REQUIRE(back);
  CHECK(plan::plan_to_json(*back) == doc);
  CHECK(back->actual_revision == 42);
  CHECK(back->applyable() == p.applyable());
}

TEST_CASE("malformed saved plans are refused with a reason, never a crash", "[plan][record]") {
  json good = plan::plan_to_json(plan::make_plan(desired({tenant("acme")}), actual({managed(tenant("old"))}), {}));
  std::vector<std::pair<std::string, json>> bad;
  bad.push_back({"not an object", json::array()});
  { json d = good; d["format_version"] = 99; bad.push_back({"future version", d}); }
  { json d = good; d.erase("actual_revision"); bad.push_back({"no revision", d}); }
  { json d = good; d["actual_revision"] = "7"; bad.push_back({"string revision", d}); }
  { json d = good; d["changes"][0]["action"] = "explode"; bad.push_back({"bad action", d}); }
  { json d = good; d["changes"][0]["key"]["kind"] = "Cluster"; bad.push_back({"bad kind", d}); }
  { json d = good; d["changes"][0].erase("desired"); bad.push_back({"create without desired", d}); }
  { json d = good; d["changes"][0]["desired"]["name"] = "other"; bad.push_back({"mismatched resource", d}); }
  { json d = good; d["changes"][0]["desired"]["labels"] = {{"a", 1}}; bad.push_back({"numeric label", d}); }
  { json d = good; d["changes"][0]["fields"] = {{{"before", 1}}}; bad.push_back({"field without path", d}); }
  { json d = good; d["changes"][1]["key"]["tenant"] = "x"; bad.push_back({"tenant key with tenant scope", d}); }
  { json d = good; d["summary"] = json::array(); bad.push_back({"summary array", d}); }
  for (const auto& [name, doc] : bad) {
    INFO(name);
    auto result = plan::plan_from_json(doc);
    CHECK_FALSE(result);
    if (!result) CHECK_FALSE(result.error().empty());
  }
}
