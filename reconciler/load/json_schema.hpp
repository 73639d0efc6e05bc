#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace plumb::load {

// One way an instance fails a schema. `instance_path` is a JSON Pointer into the instance
// ("/spec/capabilities/2"); `keyword` is the failing keyword ("additionalProperties", "enum",
// ...); `property` names the offending property for additionalProperties/required.
struct SchemaError {
  std::string instance_path;
  std::string keyword;
  std::string property;
  std::string message;
};

// A JSON Schema (draft 2020-12) validator for the keywords plumb's schemas use: type,
// properties, required, additionalProperties, enum, const, pattern, minLength/maxLength,
// minimum/maximum, items, minItems/maxItems, uniqueItems, format (date-time, email), $ref to
// local $defs, allOf/anyOf/oneOf/not, if/then/else. Unknown keywords are ignored, as the spec says.
class JsonSchema {
 public:
  // `root` must outlive nothing: it is copied. Throws std::invalid_argument if the schema
  // itself is malformed (a bug in plumb's embedded schemas, caught by tests).
  explicit JsonSchema(nlohmann::json root);

  // Every failure, not just the first. Empty means valid.
  std::vector<SchemaError> validate(const nlohmann::json& instance) const;

  const nlohmann::json& root() const { return m_root; }

 private:
  nlohmann::json m_root;
};

// The embedded schema for a manifest kind ("Tenant", ...); nullptr for an unknown kind.
const JsonSchema* manifest_schema(std::string_view kind);

}  // namespace plumb::load
