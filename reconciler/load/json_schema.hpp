#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace plumb::load {

// One way an instance fails a schema. `instance_path` is a JSON Pointer into the instance
// ("/spec/capabilities/2"); `keyword` is the failing keyword ("additionalProperties", "enum",
// ...); `schema_path` is the JSON Pointer of that keyword inside the schema document
// ("/$defs/slug/pattern"); `property` names the offending property for
// additionalProperties/required; `message` is a sentence for people.
struct SchemaError {
  std::string instance_path;
  std::string keyword;
  std::string schema_path;
  std::string property;
  std::string message;
};

// A JSON Schema (draft 2020-12) validator for exactly the keywords plumb's schemas use: type,
// properties, required, additionalProperties, enum, const, pattern, minLength/maxLength,
// minimum/maximum, items (one schema for every item), minItems/maxItems, uniqueItems, format
// (date-time and email asserted; other formats ignored), $ref to a local JSON Pointer ("#",
// "#/$defs/x") and $defs; boolean schemas. Not for: remote or $id/$anchor-relative refs,
// applicators such as allOf/anyOf/oneOf/not/if, prefixItems, patternProperties.
// `pattern` uses std::regex (ECMAScript grammar, matched byte-wise, so no \p{..} classes or
// Unicode-aware `.`); strings over k_max_pattern_subject bytes fail a pattern rather than risk
// the recursive matcher's stack.
class JsonSchema {
 public:
  // Longest string a `pattern` is run on; longer strings fail it (see above).
  static constexpr std::size_t k_max_pattern_subject = 4096;
  // Deepest nesting of instance + $ref hops validated; deeper input fails with keyword "$ref".
  static constexpr std::size_t k_max_depth = 128;

  // Compiles `root` (copied; $refs resolved, patterns compiled) so validate() is fast and
  // thread-safe. With `strict`, any keyword outside the supported set and the annotations
  // ($schema, $id, $comment, title, description) is an error. Throws std::invalid_argument if
  // the schema is malformed (bad keyword value, unresolvable $ref, invalid regex).
  explicit JsonSchema(nlohmann::json root, bool strict = false);
  ~JsonSchema();
  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;

  // Every failure, not just the first (after a failed `type`, the other keywords of that
  // subschema are not reported). Empty means valid. Pure; never throws on any instance.
  std::vector<SchemaError> validate(const nlohmann::json& instance) const;

  // The schema document as given.
  const nlohmann::json& root() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// True if `text` is an RFC 3339 date-time (format "date-time"): any year, leap second 60
// allowed, fraction of any length, offset Z or +-HH:MM, 'T'/'Z' in either case.
bool is_rfc3339_date_time(std::string_view text);

// True if `text` is an e-mail address (format "email"): dot-atom local part of RFC 5322
// atext, '@', a host name of two or more labels. Quoted local parts and IP literals are refused.
bool is_email_address(std::string_view text);

}  // namespace plumb::load
