#include "reconciler/load/json_schema.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <utility>

namespace plumb::load {
namespace {

using nlohmann::json;

enum TypeBit : unsigned {
  k_null = 1,
  k_boolean = 2,
  k_object = 4,
  k_array = 8,
  k_number = 16,
  k_string = 32,
  k_integer = 64,
};

enum class Format { none, date_time, email };

const std::set<std::string>& supported_keywords() {
  static const std::set<std::string> k_words = {"$schema",
                                                "$id",
                                                "$comment",
                                                "title",
                                                "description",
                                                "$defs",
                                                "$ref",
                                                "type",
                                                "properties",
                                                "required",
                                                "additionalProperties",
                                                "enum",
                                                "const",
                                                "pattern",
                                                "minLength",
                                                "maxLength",
                                                "minimum",
                                                "maximum",
                                                "items",
                                                "minItems",
                                                "maxItems",
                                                "uniqueItems",
                                                "format"};
  return k_words;
}

unsigned type_bit(const std::string& name) {
  static const std::map<std::string, unsigned> k_bits = {
      {"null", k_null},     {"boolean", k_boolean}, {"object", k_object},  {"array", k_array},
      {"number", k_number}, {"string", k_string},   {"integer", k_integer}};
  auto it = k_bits.find(name);
  if (it == k_bits.end()) throw std::invalid_argument("unknown type '" + name + "'");
  return it->second;
}

// A float with an integral value counts as an integer (JSON Schema: 1.0 is an integer).
bool is_integral(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  double d = v.get<double>();
  return d == static_cast<double>(static_cast<long long>(d)) && d > -9.3e18 && d < 9.3e18;
}

unsigned instance_bits(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return k_null;
    case json::value_t::boolean:
      return k_boolean;
    case json::value_t::object:
      return k_object;
    case json::value_t::array:
      return k_array;
    case json::value_t::string:
      return k_string;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return k_number | k_integer;
    case json::value_t::number_float:
      return is_integral(v) ? (k_number | k_integer) : k_number;
    default:
      return 0;  // binary, discarded: never produced by plumb
  }
}

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::number_float:
      return is_integral(v) ? "an integer" : "a number";
    default:
      return "an integer";
  }
}

std::string type_names(unsigned bits) {
  static const std::pair<unsigned, const char*> k_names[] = {
      {k_null, "null"},     {k_boolean, "boolean"}, {k_object, "object"},  {k_array, "array"},
      {k_number, "number"}, {k_string, "string"},   {k_integer, "integer"}};
  std::string out;
  for (const auto& [bit, name] : k_names) {
    if (bits & bit) out += (out.empty() ? "" : " or ") + std::string(name);
  }
  return out;
}

// Numbers compare exactly when both are integers, as doubles otherwise.
int compare_numbers(const json& a, const json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    bool a_neg = a.is_number_unsigned() ? false : a.get<std::int64_t>() < 0;
    bool b_neg = b.is_number_unsigned() ? false : b.get<std::int64_t>() < 0;
    if (a_neg != b_neg) return a_neg ? -1 : 1;
    if (a_neg) {
      auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  double x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

// JSON equality as JSON Schema defines it: 1 == 1.0, objects unordered, true != 1.
bool json_equal(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!json_equal(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !json_equal(it.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

// Length in Unicode code points of UTF-8 text (continuation bytes do not count).
std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string escape_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A $ref's fragment is URI-encoded: %25 is '%'.
std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string short_text(const json& v) {
  std::string text = v.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

namespace detail {

// One compiled subschema. Children are pointers into the owning Impl's deque (stable).
struct CompiledNode {
  std::string location;         // JSON Pointer of this subschema in the document
  std::optional<bool> boolean;  // a `true`/`false` schema
  unsigned types = 0;           // 0: no `type` keyword
  std::vector<std::pair<std::string, const CompiledNode*>> properties;
  std::vector<std::string> required;
  const CompiledNode* additional = nullptr;
  std::optional<std::vector<json>> enum_values;
  std::optional<json> const_value;
  std::optional<std::regex> pattern;
  std::string pattern_text;
  std::optional<std::uint64_t> min_length, max_length, min_items, max_items;
  std::optional<json> minimum, maximum;
  const CompiledNode* items = nullptr;
  bool unique_items = false;
  Format format = Format::none;
  const CompiledNode* ref = nullptr;
};

}  // namespace detail

using detail::CompiledNode;

namespace detail {

// A JSON Pointer into the instance as a chain of links to its parent's, spelled out ("/a/0/b")
// only when an error names it: validation visits every value and almost never fails.
struct Pointer {
  const Pointer* parent = nullptr;
  const std::string* key = nullptr;  // an object member, or
  std::size_t index = 0;             // an array item when key is null
  std::string str() const;
};

}  // namespace detail

using detail::Pointer;

struct JsonSchema::Impl {
  json root;
  bool strict = false;
  std::deque<CompiledNode> nodes;
  std::map<std::string, CompiledNode*> by_location;
  const CompiledNode* top = nullptr;

  const CompiledNode* compile(const json& schema, const std::string& location);
  void compile_keywords(CompiledNode& node, const json& schema);
  void compile_applicators(CompiledNode& node, const json& schema);
  void compile_assertions(CompiledNode& node, const json& schema);
  const CompiledNode* resolve_ref(const std::string& ref, const std::string& at);

  void check(const CompiledNode& node, const json& instance, const Pointer& path, std::size_t depth,
             std::vector<SchemaError>& errors) const;
  bool check_type(const CompiledNode& node, const json& instance, const Pointer& path,
                  std::vector<SchemaError>& errors) const;
  void check_string(const CompiledNode& node, const std::string& text, const Pointer& path,
                    std::vector<SchemaError>& errors) const;
  void check_number(const CompiledNode& node, const json& instance, const Pointer& path,
                    std::vector<SchemaError>& errors) const;
  void check_array(const CompiledNode& node, const json& instance, const Pointer& path, std::size_t depth,
                   std::vector<SchemaError>& errors) const;
  void check_object(const CompiledNode& node, const json& instance, const Pointer& path,
                    std::size_t depth, std::vector<SchemaError>& errors) const;
};

namespace {

std::uint64_t non_negative(const json& v, const char* keyword) {
  if (!is_integral(v) || v.get<double>() < 0) {
    throw std::invalid_argument(std::string(keyword) + " must be a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

void add_error(std::vector<SchemaError>& errors, const Pointer& path, const CompiledNode& node,
               const char* keyword, std::string message, std::string property = {}) {
  errors.push_back({path.str(), keyword, node.location + "/" + keyword, std::move(property), std::move(message)});
}

}  // namespace

std::string Pointer::str() const {
  if (parent == nullptr) return "";  // the instance itself
  return parent->str() + "/" + (key != nullptr ? escape_token(*key) : std::to_string(index));
}

const CompiledNode* JsonSchema::Impl::compile(const json& schema, const std::string& location) {
  if (auto it = by_location.find(location); it != by_location.end()) return it->second;
  CompiledNode& node = nodes.emplace_back();
  node.location = location;
  by_location[location] = &node;  // before children: recursive $refs terminate
  if (schema.is_boolean()) {
    node.boolean = schema.get<bool>();
    return &node;
  }
  if (!schema.is_object())
    throw std::invalid_argument("schema at '" + location + "' is neither an object nor a boolean");
  try {
    compile_keywords(node, schema);
  } catch (const json::exception& e) {
    throw std::invalid_argument("schema at '" + location + "': " + e.what());
  }
  return &node;
}

void JsonSchema::Impl::compile_keywords(CompiledNode& node, const json& schema) {
  const std::string& at = node.location;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (strict && !supported_keywords().count(it.key())) {
      throw std::invalid_argument("schema at '" + at + "' uses unsupported keyword '" + it.key() + "'");
    }
  }
  if (auto defs = schema.find("$defs"); defs != schema.end()) {
    if (!defs->is_object()) throw std::invalid_argument("$defs at '" + at + "' must be an object");
    for (auto d = defs->begin(); d != defs->end(); ++d)
      compile(d.value(), at + "/$defs/" + escape_token(d.key()));
  }
  if (auto t = schema.find("type"); t != schema.end()) {
    if (!t->is_string() && !t->is_array())
      throw std::invalid_argument("type at '" + at + "' must be a string or an array");
    for (const auto& name : t->is_array() ? *t : json::array({*t}))
      node.types |= type_bit(name.get<std::string>());
    if (node.types & k_number) node.types |= k_integer;
  }
  compile_applicators(node, schema);
  compile_assertions(node, schema);
  if (auto r = schema.find("$ref"); r != schema.end()) node.ref = resolve_ref(r->get<std::string>(), at);
}

void JsonSchema::Impl::compile_applicators(CompiledNode& node, const json& schema) {
  const std::string& at = node.location;
  if (auto p = schema.find("properties"); p != schema.end()) {
    if (!p->is_object()) throw std::invalid_argument("properties at '" + at + "' must be an object");
    for (auto e = p->begin(); e != p->end(); ++e) {
      node.properties.emplace_back(e.key(), compile(e.value(), at + "/properties/" + escape_token(e.key())));
    }
  }
  if (auto a = schema.find("additionalProperties"); a != schema.end()) {
    node.additional = compile(*a, at + "/additionalProperties");
  }
  if (auto i = schema.find("items"); i != schema.end()) {
    if (i->is_array())
      throw std::invalid_argument("items at '" + at + "' must be one schema (2020-12: prefixItems)");
    node.items = compile(*i, at + "/items");
  }
}

void JsonSchema::Impl::compile_assertions(CompiledNode& node, const json& schema) {
  const std::string& at = node.location;
  if (auto r = schema.find("required"); r != schema.end()) node.required = r->get<std::vector<std::string>>();
  if (auto e = schema.find("enum"); e != schema.end()) {
    if (!e->is_array()) throw std::invalid_argument("enum at '" + at + "' must be an array");
    node.enum_values = e->get<std::vector<json>>();
  }
  if (auto c = schema.find("const"); c != schema.end()) node.const_value = *c;
  if (auto p = schema.find("pattern"); p != schema.end()) {
    node.pattern_text = p->get<std::string>();
    try {
      node.pattern.emplace(node.pattern_text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("pattern at '" + at +
                                  "' is not a supported regular expression: " + e.what());
    }
  }
  if (auto v = schema.find("minLength"); v != schema.end()) node.min_length = non_negative(*v, "minLength");
  if (auto v = schema.find("maxLength"); v != schema.end()) node.max_length = non_negative(*v, "maxLength");
  if (auto v = schema.find("minItems"); v != schema.end()) node.min_items = non_negative(*v, "minItems");
  if (auto v = schema.find("maxItems"); v != schema.end()) node.max_items = non_negative(*v, "maxItems");
  for (const char* key : {"minimum", "maximum"}) {
    auto v = schema.find(key);
    if (v == schema.end()) continue;
    if (!v->is_number()) throw std::invalid_argument(std::string(key) + " at '" + at + "' must be a number");
    (key[1] == 'i' ? node.minimum : node.maximum) = *v;
  }
  if (auto u = schema.find("uniqueItems"); u != schema.end()) node.unique_items = u->get<bool>();
  if (auto f = schema.find("format"); f != schema.end()) {
    std::string name = f->get<std::string>();
    node.format = name == "date-time" ? Format::date_time : name == "email" ? Format::email : Format::none;
  }
}

const CompiledNode* JsonSchema::Impl::resolve_ref(const std::string& ref, const std::string& at) {
  if (ref.empty() || ref[0] != '#') {
    throw std::invalid_argument("$ref '" + ref + "' at '" + at +
                                "' is not local (only \"#...\" is supported)");
  }
  std::string pointer = percent_decode(ref.substr(1));
  if (!pointer.empty() && pointer[0] != '/') {
    throw std::invalid_argument("$ref '" + ref + "' at '" + at + "' is an anchor, not a JSON Pointer");
  }
  try {
    const json& target = root.at(json::json_pointer(pointer));
    return compile(target, pointer);
  } catch (const json::exception& e) {
    throw std::invalid_argument("$ref '" + ref + "' at '" + at + "' does not resolve: " + e.what());
  }
}

bool JsonSchema::Impl::check_type(const CompiledNode& node, const json& instance, const Pointer& path,
                                  std::vector<SchemaError>& errors) const {
  if (node.types == 0 || (instance_bits(instance) & node.types) != 0) return true;
  add_error(errors, path, node, "type",
            "expected " + type_names(node.types) + ", found " + describe(instance));
  return false;
}

void JsonSchema::Impl::check_string(const CompiledNode& node, const std::string& text,
                                    const Pointer& path, std::vector<SchemaError>& errors) const {
  if (node.min_length || node.max_length) {
    std::size_t length = code_points(text);
    if (node.min_length && length < *node.min_length) {
      add_error(errors, path, node, "minLength",
                "must be at least " + std::to_string(*node.min_length) + " characters long");
    }
    if (node.max_length && length > *node.max_length) {
      add_error(errors, path, node, "maxLength",
                "is " + std::to_string(length) + " characters, over the limit of " +
                    std::to_string(*node.max_length));
    }
  }
  if (node.pattern) {
    bool ok = text.size() <= JsonSchema::k_max_pattern_subject && std::regex_search(text, *node.pattern);
    if (!ok)
      add_error(errors, path, node, "pattern", short_text(text) + " does not match " + node.pattern_text);
  }
  if (node.format == Format::date_time && !is_rfc3339_date_time(text)) {
    add_error(errors, path, node, "format", short_text(text) + " is not an RFC 3339 date-time");
  }
  if (node.format == Format::email && !is_email_address(text)) {
    add_error(errors, path, node, "format", short_text(text) + " is not an e-mail address");
  }
}

void JsonSchema::Impl::check_number(const CompiledNode& node, const json& instance, const Pointer& path,
                                    std::vector<SchemaError>& errors) const {
  if (node.minimum && compare_numbers(instance, *node.minimum) < 0) {
    add_error(errors, path, node, "minimum", "must be at least " + node.minimum->dump());
  }
  if (node.maximum && compare_numbers(instance, *node.maximum) > 0) {
    add_error(errors, path, node, "maximum", "must be at most " + node.maximum->dump());
  }
}

void JsonSchema::Impl::check_array(const CompiledNode& node, const json& instance, const Pointer& path,
                                   std::size_t depth, std::vector<SchemaError>& errors) const {
  if (node.min_items && instance.size() < *node.min_items) {
    add_error(errors, path, node, "minItems",
              "must have at least " + std::to_string(*node.min_items) + " items");
  }
  if (node.max_items && instance.size() > *node.max_items) {
    add_error(errors, path, node, "maxItems",
              "must have at most " + std::to_string(*node.max_items) + " items");
  }
  if (node.unique_items) {
    for (std::size_t i = 1; i < instance.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (!json_equal(instance[i], instance[j])) continue;
        add_error(errors, Pointer{&path, nullptr, i}, node, "uniqueItems",
                  short_text(instance[i]) + " is listed twice (also item " + std::to_string(j) + ")");
        break;
      }
    }
  }
  if (node.items) {
    for (std::size_t i = 0; i < instance.size(); ++i) {
      check(*node.items, instance[i], Pointer{&path, nullptr, i}, depth + 1, errors);
    }
  }
}

void JsonSchema::Impl::check_object(const CompiledNode& node, const json& instance, const Pointer& path,
                                    std::size_t depth, std::vector<SchemaError>& errors) const {
  for (const auto& name : node.required) {
    if (!instance.contains(name)) {
      add_error(errors, path, node, "required", "missing required property '" + name + "'", name);
    }
  }
  for (auto it = instance.begin(); it != instance.end(); ++it) {
    const Pointer child{&path, &it.key(), 0};
    auto declared = std::find_if(node.properties.begin(), node.properties.end(),
                                 [&](const auto& p) { return p.first == it.key(); });
    if (declared != node.properties.end()) {
      check(*declared->second, it.value(), child, depth + 1, errors);
    } else if (node.additional && node.additional->boolean == false) {
      add_error(errors, child, node, "additionalProperties", "property '" + it.key() + "' is not allowed",
                it.key());
    } else if (node.additional) {
      check(*node.additional, it.value(), child, depth + 1, errors);
    }
  }
}

void JsonSchema::Impl::check(const CompiledNode& node, const json& instance, const Pointer& path,
                             std::size_t depth, std::vector<SchemaError>& errors) const {
  if (depth > JsonSchema::k_max_depth) {
    add_error(errors, path, node, "$ref",
              "nesting deeper than " + std::to_string(JsonSchema::k_max_depth) + " levels");
    return;
  }
  if (node.boolean) {
    if (!*node.boolean) errors.push_back({path.str(), "false", node.location, "", "no value is allowed here"});
    return;
  }
  if (node.ref) check(*node.ref, instance, path, depth + 1, errors);
  if (!check_type(node, instance, path, errors)) return;
  if (node.const_value && !json_equal(instance, *node.const_value)) {
    add_error(errors, path, node, "const", "must be " + short_text(*node.const_value));
  }
  if (node.enum_values) {
    bool found = std::any_of(node.enum_values->begin(), node.enum_values->end(),
                             [&](const json& v) { return json_equal(instance, v); });
    if (!found) {
      std::string allowed;
      for (const auto& v : *node.enum_values) allowed += (allowed.empty() ? "" : ", ") + short_text(v);
      add_error(errors, path, node, "enum", short_text(instance) + " is not one of: " + allowed);
    }
  }
  if (instance.is_string()) check_string(node, instance.get_ref<const std::string&>(), path, errors);
  if (instance.is_number()) check_number(node, instance, path, errors);
  if (instance.is_array()) check_array(node, instance, path, depth, errors);
  if (instance.is_object()) check_object(node, instance, path, depth, errors);
}

JsonSchema::JsonSchema(nlohmann::json root, bool strict) : m_impl(std::make_unique<Impl>()) {
  m_impl->root = std::move(root);
  m_impl->strict = strict;
  m_impl->top = m_impl->compile(m_impl->root, "");
}

JsonSchema::~JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;

std::vector<SchemaError> JsonSchema::validate(const nlohmann::json& instance) const {
  std::vector<SchemaError> errors;
  m_impl->check(*m_impl->top, instance, Pointer{}, 0, errors);
  return errors;
}

const nlohmann::json& JsonSchema::root() const {
  return m_impl->root;
}

namespace {

// Reads exactly `n` digits at text[pos] into `value`; advances pos.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t n, int& value) {
  if (pos + n > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(text[pos + i])) return false;
    value = value * 10 + (text[pos + i] - '0');
  }
  pos += n;
  return true;
}

bool take(std::string_view text, std::size_t& pos, char lower) {
  if (pos >= text.size() ||
      (text[pos] != lower && text[pos] != lower - ('a' <= lower && lower <= 'z' ? 32 : 0))) {
    return false;
  }
  ++pos;
  return true;
}

bool valid_date(int y, int m, int d) {
  static constexpr int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > k_days[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m != 2 || d <= 28 || leap;
}

bool is_atext(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

bool is_host_label(std::string_view label) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c); };
  if (label.empty() || label.size() > 63 || !alnum(label.front()) || !alnum(label.back())) return false;
  return std::all_of(label.begin(), label.end(), [&](char c) { return alnum(c) || c == '-'; });
}

}  // namespace

bool is_rfc3339_date_time(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(text, pos, 4, year) || !take(text, pos, '-') || !read_digits(text, pos, 2, month) ||
      !take(text, pos, '-') || !read_digits(text, pos, 2, day) || !take(text, pos, 't') ||
      !read_digits(text, pos, 2, hour) || !take(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
      !take(text, pos, ':') || !read_digits(text, pos, 2, second)) {
    return false;
  }
  if (!valid_date(year, month, day) || hour > 23 || minute > 59 || second > 60) return false;
  if (take(text, pos, '.')) {
    std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos == start) return false;
  }
  if (take(text, pos, 'z')) return pos == text.size();
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return false;
  ++pos;
  int offset_hour = 0, offset_minute = 0;
  if (!read_digits(text, pos, 2, offset_hour) || !take(text, pos, ':') ||
      !read_digits(text, pos, 2, offset_minute)) {
    return false;
  }
  return pos == text.size() && offset_hour <= 23 && offset_minute <= 59;
}

bool is_email_address(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || text.size() > 254) return false;
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  if (!std::all_of(local.begin(), local.end(), [](char c) { return is_atext(c) || c == '.'; })) return false;
  std::size_t labels = 0;
  for (std::size_t start = 0;;) {
    std::size_t dot = domain.find('.', start);
    if (!is_host_label(domain.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2;
}

}  // namespace plumb::load
