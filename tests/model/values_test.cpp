#include <catch2/catch.hpp>

#include "reconciler/model/resource.hpp"
#include "reconciler/model/values.hpp"

using namespace plumb::model;

TEST_CASE("durations parse Go-style units in order and reject the rest", "[model]") {
  CHECK(parse_duration("720h") == 720 * 3600);
  CHECK(parse_duration("90m") == 90 * 60);
  CHECK(parse_duration("1h30m") == 5400);
  CHECK(parse_duration("45s") == 45);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("0h"));
  CHECK_FALSE(parse_duration("30m1h"));
  CHECK_FALSE(parse_duration("1d"));
  CHECK_FALSE(parse_duration("h"));
  CHECK_FALSE(parse_duration("-5m"));
  CHECK_FALSE(parse_duration("99999999999h"));
}

TEST_CASE("timestamps normalise to UTC and reject impossible dates", "[model]") {
  CHECK(normalize_timestamp("2027-01-31T12:00:00Z") == "2027-01-31T12:00:00Z");
  CHECK(normalize_timestamp("2027-01-31T12:00:00+02:00") == "2027-01-31T10:00:00Z");
  CHECK(normalize_timestamp("2027-01-01T00:30:00+01:00") == "2026-12-31T23:30:00Z");
  CHECK(normalize_timestamp("2027-01-31T12:00:00.500Z") == "2027-01-31T12:00:00.5Z");
  CHECK(normalize_timestamp("2028-02-29T00:00:00Z") == "2028-02-29T00:00:00Z");
  CHECK_FALSE(normalize_timestamp("2027-02-29T00:00:00Z"));
  CHECK_FALSE(normalize_timestamp("2027-01-31 12:00:00Z"));
  CHECK_FALSE(normalize_timestamp("2027-01-31T12:00:00"));
  CHECK_FALSE(normalize_timestamp("2027-13-01T00:00:00Z"));
  CHECK_FALSE(normalize_timestamp("1969-12-31T23:59:59Z"));
}

TEST_CASE("slugs follow the DESIGN pattern", "[model]") {
  CHECK(is_slug("acme-corp"));
  CHECK(is_slug("a"));
  CHECK(is_slug("abc"));
  CHECK_FALSE(is_slug("ab"));
  CHECK_FALSE(is_slug("-abc"));
  CHECK_FALSE(is_slug("abc-"));
  CHECK_FALSE(is_slug("Acme"));
  CHECK_FALSE(is_slug(std::string(64, 'a')));
  CHECK(is_slug(std::string(63, 'a')));
}

TEST_CASE("permissions are resource:action from the vocabulary", "[model]") {
  CHECK(is_permission("pipelines:read"));
  CHECK(is_permission("*:read"));
  CHECK(is_permission("syncs:trigger"));
  CHECK_FALSE(is_permission("pipelines"));
  CHECK_FALSE(is_permission("pipeline:read"));
  CHECK_FALSE(is_permission("pipelines:delete"));
}

TEST_CASE("resource keys order by kind dependency then names", "[model]") {
  ResourceKey tenant{Kind::tenant, "", "", "acme"};
  ResourceKey role{Kind::role, "acme", "", "ops"};
  ResourceKey pipeline{Kind::pipeline, "acme", "ws", "p"};
  CHECK(tenant < role);
  CHECK(role < pipeline);
  CHECK(pipeline.str() == "Pipeline/acme/ws/p");
  CHECK(tenant.str() == "Tenant/acme");
}

TEST_CASE("a resource's canonical text is its body, compact with sorted keys", "[model]") {
  Resource r;
  CHECK(r.canonical() == Resource{}.body().dump());
  CHECK(r.canonical() == R"({"metadata":{"annotations":{},"labels":{}},"spec":{}})");
  r.labels = {{"team", "data"}, {"a", "b"}};
  r.annotations = {{"plumb.dev/policy", "observe"}, {"note", "é \"quoted\""}};
  r.spec = {{"source", {{"type", "http"}, {"config", {{"url", "https://x"}, {"retries", 3}}}}},
            {"enabled", true},
            {"integrations", Json::array({{{"name", "s3"}, {"revision", 2}}})}};
  CHECK(r.canonical() == r.body().dump());
}
