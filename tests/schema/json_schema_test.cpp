// Behaviour of plumb's JSON Schema validator beyond pass/fail: error locations, keywords,
// messages, limits and malformed schemas.
#include <catch2/catch.hpp>

#include "reconciler/load/json_schema.hpp"

using nlohmann::json;
using plumb::load::JsonSchema;
using plumb::load::SchemaError;

namespace {

const json k_schema = json::parse(R"({
  "type": "object",
  "properties": {
    "name": {"$ref": "#/$defs/slug"},
    "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "uniqueItems": true, "minItems": 1},
    "size": {"type": "integer", "minimum": 1, "maximum": 10},
    "a/b": {"const": 1}
  },
  "required": ["name"],
  "additionalProperties": false,
  "$defs": {"slug": {"type": "string", "pattern": "^[a-z]+$"}}
})");

const SchemaError* find(const std::vector<SchemaError>& errors, const std::string& keyword) {
  for (const auto& e : errors) {
    if (e.keyword == keyword) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a valid instance has no errors", "[schema]") {
  JsonSchema schema(k_schema);
  CHECK(schema.validate(json::parse(R"({"name": "abc", "tags": ["x", "y"], "size": 3})")).empty());
}

TEST_CASE("every failure is reported with its instance pointer, keyword and schema pointer", "[schema]") {
  JsonSchema schema(k_schema);
  auto errors = schema.validate(
      json::parse(R"({"name": "ABC", "tags": ["x", "long", "x"], "size": 11, "extra": 1, "a/b": 2})"));
  REQUIRE(errors.size() == 6);
  const SchemaError* pattern = find(errors, "pattern");
  REQUIRE(pattern != nullptr);
  CHECK(pattern->instance_path == "/name");
  CHECK(pattern->schema_path == "/$defs/slug/pattern");
  CHECK(find(errors, "maxLength")->instance_path == "/tags/1");
  CHECK(find(errors, "uniqueItems")->instance_path == "/tags/2");
  CHECK(find(errors, "maximum")->message == "must be at most 10");
  CHECK(find(errors, "additionalProperties")->property == "extra");
  CHECK(find(errors, "additionalProperties")->instance_path == "/extra");
  CHECK(find(errors, "const")->instance_path == "/a~1b");
  CHECK(find(errors, "const")->schema_path == "/properties/a~1b/const");
}

TEST_CASE("a missing required property names the property at the object's pointer", "[schema]") {
  auto errors = JsonSchema(k_schema).validate(json::object());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "required");
  CHECK(errors[0].instance_path == "");
  CHECK(errors[0].property == "name");
  CHECK(errors[0].message == "missing required property 'name'");
}

TEST_CASE("a type mismatch stops the other keywords of that subschema", "[schema]") {
  auto errors = JsonSchema(k_schema).validate(json::parse(R"({"name": 5})"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "type");
  CHECK(errors[0].message == "expected string, found an integer");
}

TEST_CASE("string lengths count code points, not bytes", "[schema]") {
  JsonSchema schema(json::parse(R"({"maxLength": 2, "minLength": 2})"));
  CHECK(schema.validate("\xc3\xa9\xc3\xa9").empty());  // "éé": 4 bytes, 2 characters
  CHECK_FALSE(schema.validate("abc").empty());
}

TEST_CASE("integers and numbers compare exactly and 1.0 is an integer", "[schema]") {
  JsonSchema schema(json::parse(R"({"type": "integer", "minimum": 9007199254740993})"));
  CHECK(schema.validate(json(9007199254740993LL)).empty());
  CHECK_FALSE(schema.validate(json(9007199254740992LL)).empty());
  CHECK(JsonSchema(json::parse(R"({"type": "integer"})")).validate(json(1.0)).empty());
  CHECK_FALSE(JsonSchema(json::parse(R"({"type": "integer"})")).validate(json(1.5)).empty());
  CHECK(JsonSchema(json::parse(R"({"enum": [1]})")).validate(json(1.0)).empty());
  CHECK_FALSE(JsonSchema(json::parse(R"({"const": false})")).validate(json(0)).empty());
}

TEST_CASE("a pattern is not anchored unless it says so", "[schema]") {
  JsonSchema schema(json::parse(R"({"pattern": "b+"})"));
  CHECK(schema.validate("abbc").empty());
  CHECK_FALSE(schema.validate("ac").empty());
  CHECK(schema.validate(json(5)).empty());  // applies to strings only
}

TEST_CASE("a string too long for the regex engine fails its pattern instead of risking the stack",
          "[schema]") {
  JsonSchema schema(json::parse(R"({"pattern": "^a*$"})"));
  CHECK(schema.validate(std::string(JsonSchema::k_max_pattern_subject, 'a')).empty());
  auto errors = schema.validate(std::string(JsonSchema::k_max_pattern_subject + 1, 'a'));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "pattern");
}

TEST_CASE("a recursive schema on a deep instance stops at the depth bound", "[schema]") {
  JsonSchema schema(json::parse(R"({"type": "array", "items": {"$ref": "#"}})"));
  json deep = json::array();
  for (int i = 0; i < 500; ++i) deep = json::array({deep});
  auto errors = schema.validate(deep);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].keyword == "$ref");
  json shallow = json::array({json::array({json::array()})});
  CHECK(schema.validate(shallow).empty());
}

TEST_CASE("a $ref cycle with no instance progress terminates", "[schema]") {
  JsonSchema schema(json::parse(
      R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"})"));
  CHECK_FALSE(schema.validate(json(1)).empty());
}

TEST_CASE("malformed schemas are refused when compiled", "[schema]") {
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"$ref": "#/$defs/missing"})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"$ref": "other.json#/x"})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"pattern": "(unclosed"})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"type": "text"})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"minLength": -1})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"items": [true]})")), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json(5)), std::invalid_argument);
}

TEST_CASE("strict mode refuses keywords the validator does not implement", "[schema]") {
  CHECK_NOTHROW(JsonSchema(json::parse(R"({"title": "x", "description": "y", "oneOf": []})")));
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"oneOf": []})"), true), std::invalid_argument);
  CHECK_THROWS_AS(JsonSchema(json::parse(R"({"properties": {"a": {"patternProperties": {}}}})"), true),
                  std::invalid_argument);
  CHECK_NOTHROW(
      JsonSchema(json::parse(R"({"$schema": "x", "$id": "y", "title": "t", "description": "d"})"), true));
}

TEST_CASE("format date-time follows RFC 3339", "[schema]") {
  using plumb::load::is_rfc3339_date_time;
  CHECK(is_rfc3339_date_time("2027-06-30T23:59:59Z"));
  CHECK(is_rfc3339_date_time("2024-02-29t00:00:00.5+05:30"));
  CHECK(is_rfc3339_date_time("1998-12-31T23:59:60Z"));
  CHECK_FALSE(is_rfc3339_date_time("2023-02-29T00:00:00Z"));
  CHECK_FALSE(is_rfc3339_date_time("2027-06-30 23:59:59Z"));
  CHECK_FALSE(is_rfc3339_date_time("2027-06-30T23:59:59"));
  CHECK_FALSE(is_rfc3339_date_time("2027-06-30T24:00:00Z"));
  CHECK_FALSE(is_rfc3339_date_time("2027-06-30T23:59:59.Z"));
  CHECK_FALSE(is_rfc3339_date_time("2027-06-30T23:59:59+0100"));
}

TEST_CASE("format email takes a dot-atom address at a host name", "[schema]") {
  using plumb::load::is_email_address;
  CHECK(is_email_address("admin@acme.example.com"));
  CHECK(is_email_address("first.last+tag@a-b.io"));
  CHECK_FALSE(is_email_address("admin@localhost"));
  CHECK_FALSE(is_email_address("@acme.com"));
  CHECK_FALSE(is_email_address("a..b@acme.com"));
  CHECK_FALSE(is_email_address("a b@acme.com"));
  CHECK_FALSE(is_email_address("a@-acme.com"));
  CHECK_FALSE(is_email_address("a@acme..com"));
}
