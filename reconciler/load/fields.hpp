#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "reconciler/load/yaml_tree.hpp"
#include "reconciler/model/diagnostics.hpp"
#include "reconciler/model/resource.hpp"

namespace plumb::load {

// A field path below `root` as a chain of links to its parent's, spelled out (with join_path /
// index_path) only when a finding needs it: walks over every node of a document build no
// strings. A null link is the root itself.
struct PathLink {
  const PathLink* parent = nullptr;
  std::string_view key;
  std::size_t index = 0;
  bool is_index = false;
};
std::string spell(const PathLink* link, const std::string& root);

// Reads typed fields out of YAML mappings strictly, reporting every problem at the node's
// position with its field path (`spec.integrations[1].revision`). Scalars are decoded here, not
// by YAML 1.1 parsers: booleans only plain true/false, integers only canonical decimal, and a plain
// scalar that looks like a boolean, null or number is never silently taken as a string.
class FieldReader {
 public:
  FieldReader(const std::string& file, model::Diagnostics& diagnostics) : m_file(file), m_diagnostics(diagnostics) {}

  // `node` must be a mapping whose keys are all in `allowed` (UNKNOWN_FIELD with a
  // did-you-mean hint otherwise). Returns false (after reporting) if it is not a mapping.
  bool expect_map(const YamlNode& node, const std::string& path, std::initializer_list<std::string_view> allowed);

  // Field readers: nullopt when absent (MISSING_FIELD reported if `required`) or invalid.
  std::optional<std::string> string(const YamlNode& map, std::string_view key, const std::string& path, bool required);
  std::optional<bool> boolean(const YamlNode& map, std::string_view key, const std::string& path);
  std::optional<std::int64_t> integer(const YamlNode& map, std::string_view key, const std::string& path,
                                      bool required);

  // Decoders of a single node (used for list items and map values).
  std::optional<std::string> as_string(const YamlNode& node, const std::string& path);
  std::optional<std::int64_t> as_integer(const YamlNode& node, const std::string& path);

  // A mapping of string -> string (labels, annotations). Absent or null: {}.
  model::Json string_map(const YamlNode* node, const std::string& path);

  // Free-form data (pipeline `config`): mappings, lists and strictly decoded scalars.
  model::Json free_form(const YamlNode& node, const std::string& path);

  void error(const char* code, const std::string& message, const YamlNode& at, const std::string& path,
             const std::string& hint = {});
  model::SourceLocation where(const YamlNode& at) const { return {m_file, at.line, at.column}; }

 private:
  model::Json free_form_below(const YamlNode& node, const std::string& root, const PathLink* at);

  const std::string& m_file;
  model::Diagnostics& m_diagnostics;
};

// "a.b" / "a[3]": field path builders ("" parent gives the bare key).
std::string join_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);


// The closest of `candidates` to `word` (edit distance ≤ 2 or same letters ignoring case), or "".
std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates);

}  // namespace plumb::load
