#include "reconciler/load/schema_registry.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "embedded/plumb_load_schemas.hpp"
#include "reconciler/load/codes.hpp"
#include "reconciler/load/fields.hpp"

namespace plumb::load {
namespace {

using nlohmann::json;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "0", "-12", "340": what manifest.cpp takes as an integer.
bool is_canonical_int(std::string_view s) {
  std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  if (i >= s.size()) return false;
  if (s[i] == '0') return s.size() == i + 1;
  return std::all_of(s.begin() + static_cast<long>(i), s.end(), is_digit);
}

// "-1.5", "2e3", "0.25": plain decimals YAML reads as numbers.
bool is_decimal(std::string_view s) {
  std::size_t i = !s.empty() && s[0] == '-' ? 1 : 0, digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (digits == 0) return false;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    if (++i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

json scalar_to_json(const YamlNode& node) {
  const std::string& v = node.value;
  if (node.quoted) return v;
  if (v == "true" || v == "false") return v == "true";
  if (is_canonical_int(v)) {
    errno = 0;
    long long n = std::strtoll(v.c_str(), nullptr, 10);
    return errno == ERANGE ? json(std::strtod(v.c_str(), nullptr)) : json(n);
  }
  if (is_decimal(v)) return std::strtod(v.c_str(), nullptr);
  return v;
}

// Splits a JSON Pointer into unescaped reference tokens.
std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    std::size_t next = pointer.find('/', pos + 1);
    std::string raw = pointer.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    pos = next == std::string::npos ? pointer.size() : next;
  }
  return tokens;
}

// Where an instance pointer lands in the YAML document: the node, the key node of the last
// step (for unknown fields), the field path as diagnostics print it, and the last key name.
struct Located {
  const YamlNode* node = nullptr;
  const YamlNode* key = nullptr;
  std::string field;
  std::string name;
};

Located locate(const YamlNode& document, const std::string& pointer) {
  Located at{&document, nullptr, "", ""};
  for (const std::string& token : pointer_tokens(pointer)) {
    const YamlNode* next = nullptr;
    if (at.node->is_map()) {
      at.key = at.node->find_key(token);
      next = at.node->find(token);
      at.field = join_path(at.field, token);
      at.name = token;
    } else if (at.node->is_sequence()) {
      std::size_t index = std::strtoul(token.c_str(), nullptr, 10);
      if (index < at.node->items.size()) next = &at.node->items[index];
      at.field = index_path(at.field, index);
    }
    if (next == nullptr) break;
    at.node = next;
  }
  return at;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The stable code of a schema failure, chosen by keyword and by which definition failed, so a
// schema-only finding reads like the same finding from manifest.cpp.
const char* code_for(const SchemaError& e, const Located& at) {
  const std::string& k = e.keyword;
  const std::string& s = e.schema_path;
  if (k == "additionalProperties") return codes::k_unknown_field;
  if (k == "required") return codes::k_missing_field;
  if (k == "type") {
    bool wants_string = has(e.message, "expected string");
    bool plain = (at.node->is_scalar() && !at.node->quoted) || at.node->is_null();
    return wants_string && plain ? codes::k_expected_string : codes::k_type_mismatch;
  }
  if (k == "const")
    return s == "/properties/apiVersion/const" ? codes::k_unsupported_api_version
           : s == "/properties/kind/const"     ? codes::k_unknown_kind
                                               : codes::k_invalid_value;
  if (k == "enum") return has(s, "plumb.dev~1policy") ? codes::k_invalid_policy : codes::k_invalid_value;
  if (k == "pattern" || k == "format") {
    if (has(s, "/$defs/slug/") || has(s, "/$defs/tokenName/")) return codes::k_invalid_name;
    if (has(s, "/$defs/permission/")) return codes::k_invalid_permission;
    if (has(s, "/ttl/")) return codes::k_invalid_duration;
    if (has(s, "/expiresAt/")) return codes::k_invalid_timestamp;
    if (has(s, "/adminEmail/")) return codes::k_invalid_email;
    return codes::k_schema;
  }
  if (k == "minLength") return at.node->value.empty() ? codes::k_missing_field : codes::k_invalid_value;
  if (k == "maxLength") return codes::k_too_long;
  if (k == "minimum" || k == "maximum") return codes::k_out_of_range;
  if (k == "uniqueItems") return codes::k_duplicate_item;
  return codes::k_schema;
}

// The schema object that holds the failing keyword, for its description and property names.
const json* failing_subschema(const JsonSchema& schema, const std::string& schema_path) {
  std::string parent = schema_path.substr(0, schema_path.rfind('/'));
  const json::json_pointer pointer(parent);
  return schema.root().contains(pointer) ? &schema.root().at(pointer) : nullptr;
}

std::string hint_for(const SchemaError& e, const json* subschema) {
  if (subschema == nullptr || !subschema->is_object()) return {};
  if (e.keyword == "additionalProperties") {
    std::string names;
    if (auto p = subschema->find("properties"); p != subschema->end()) {
      for (auto it = p->begin(); it != p->end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
    }
    return names.empty() ? "" : "allowed fields: " + names;
  }
  if (e.keyword == "type" && has(e.message, "expected string")) return "quote it to make it a string";
  if (e.keyword == "required" || e.keyword == "enum") return {};
  auto d = subschema->find("description");
  return d != subschema->end() && d->is_string() ? d->get<std::string>() : "";
}

std::string message_for(const SchemaError& e, const Located& at) {
  if (e.keyword == "additionalProperties") return "unknown field '" + e.property + "'";
  if (e.keyword == "required") return "missing required field '" + e.property + "'";
  bool needs_subject = e.message.rfind("must ", 0) == 0 || e.message.rfind("is ", 0) == 0;
  return needs_subject ? (at.name.empty() ? "the value" : at.name) + " " + e.message : e.message;
}

}  // namespace

std::span<const EmbeddedFile> schema_files() {
  return embedded::files();
}

std::string schema_path(model::Kind kind) {
  std::string name(model::kind_name(kind));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(c | 0x20); });
  return "schemas/" + name + ".schema.json";
}

const JsonSchema& manifest_schema(model::Kind kind) {
  // Compiled once, on first use; a function-local static is initialised thread-safely, so
  // load()'s worker threads can share it.
  static const std::vector<JsonSchema> k_schemas = [] {
    std::vector<JsonSchema> out;
    for (model::Kind k : model::k_all_kinds) {
      std::string path = schema_path(k);
      auto files = schema_files();
      auto file =
          std::find_if(files.begin(), files.end(), [&](const EmbeddedFile& f) { return f.path == path; });
      try {
        if (file == files.end()) throw std::invalid_argument("not embedded");
        out.emplace_back(json::parse(file->content), true);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "plumb: embedded schema %s is broken: %s\n", path.c_str(), e.what());
        std::abort();
      }
    }
    return out;
  }();
  auto index = static_cast<std::size_t>(
      std::find(model::k_all_kinds.begin(), model::k_all_kinds.end(), kind) - model::k_all_kinds.begin());
  return k_schemas.at(index);
}

json to_json(const YamlNode& node) {
  switch (node.type) {
    case YamlNode::Type::null:
      return nullptr;
    case YamlNode::Type::scalar:
      return scalar_to_json(node);
    case YamlNode::Type::sequence: {
      json out = json::array();
      for (const auto& item : node.items) out.push_back(to_json(item));
      return out;
    }
    case YamlNode::Type::map: {
      json out = json::object();
      for (const auto& [key, value] : node.entries) out[key.value] = to_json(value);
      return out;
    }
  }
  return nullptr;
}

std::size_t check_schema(const YamlNode& document, model::Kind kind, const std::string& file,
                         model::Diagnostics& diagnostics) {
  const JsonSchema& schema = manifest_schema(kind);
  std::vector<SchemaError> errors = schema.validate(to_json(document));
  for (const SchemaError& e : errors) {
    Located at = locate(document, e.instance_path);
    const YamlNode& where = e.keyword == "additionalProperties" && at.key != nullptr ? *at.key : *at.node;
    std::string field = e.keyword == "required" ? join_path(at.field, e.property) : at.field;
    diagnostics.error(code_for(e, at), message_for(e, at), {file, where.line, where.column}, field,
                      hint_for(e, failing_subschema(schema, e.schema_path)));
  }
  return errors.size();
}

}  // namespace plumb::load
