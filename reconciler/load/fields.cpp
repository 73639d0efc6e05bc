#include "reconciler/load/fields.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <vector>

#include "reconciler/load/codes.hpp"

namespace plumb::load {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// True if `s` is one of `words` (all lower case) in any mix of cases. Allocates nothing: it runs
// on every plain scalar.
bool is_word_ignoring_case(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(), [&](std::string_view word) {
    return word.size() == s.size() && std::equal(s.begin(), s.end(), word.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  });
}

// YAML 1.1 booleans (and 1.2 spellings other than plain lower-case true/false).
bool is_bool_like(std::string_view s) {
  return s.size() <= 5 && is_word_ignoring_case(s, {"y", "yes", "n", "no", "true", "false", "on", "off"});
}

bool is_canonical_int(std::string_view s) {
  std::size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  if (i >= s.size()) return false;
  if (s[i] == '0') return s.size() == i + 1;
  return std::all_of(s.begin() + static_cast<long>(i), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Anything YAML 1.1 or 1.2 would read as a number: 010, 0x1F, 0o17, +1, 1_000, 1.5, 1e3, .inf.
// Strings that merely start with a digit ("7d", "3rd") are not numbers.
bool is_number_like(std::string_view s) {
  if (s.empty()) return false;
  if (s.size() <= 5 && is_word_ignoring_case(s, {".inf", "-.inf", "+.inf", ".nan"})) return true;
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  std::string_view body = s.substr(i);
  auto all = [](std::string_view t, auto pred) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
  };
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    return all(body.substr(2), [](unsigned char c) { return std::isxdigit(c) != 0; });
  }
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
    return all(body.substr(2), [](unsigned char c) { return c >= '0' && c <= '7'; });
  }
  // Decimal with optional underscores, fraction and exponent.
  std::size_t k = 0, digits = 0;
  while (k < body.size() && (std::isdigit(static_cast<unsigned char>(body[k])) || body[k] == '_')) {
    digits += body[k] != '_';
    ++k;
  }
  if (k < body.size() && body[k] == '.') {
    ++k;
    while (k < body.size() && (std::isdigit(static_cast<unsigned char>(body[k])) || body[k] == '_')) ++k, ++digits;
  }
  if (digits == 0) return false;
  if (k < body.size() && (body[k] == 'e' || body[k] == 'E')) {
    ++k;
    if (k < body.size() && (body[k] == '+' || body[k] == '-')) ++k;
    std::size_t exp = 0;
    while (k < body.size() && std::isdigit(static_cast<unsigned char>(body[k]))) ++k, ++exp;
    if (exp == 0) return false;
  }
  return k == body.size();
}

bool is_float(std::string_view s) {
  std::size_t i = s.size() > 0 && s[0] == '-' ? 1 : 0;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (digits == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t frac = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac;
    if (frac == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string join_path(const std::string& parent, std::string_view key) {
  bool ident = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!ident) return parent + "[\"" + std::string(key) + "\"]";
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string spell(const PathLink* link, const std::string& root) {
  if (link == nullptr) return root;
  const std::string parent = spell(link->parent, root);
  return link->is_index ? index_path(parent, link->index) : join_path(parent, link->key);
}

std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    std::size_t d = lower(word) == lower(c) ? 0 : edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

void FieldReader::error(const char* code, const std::string& message, const YamlNode& at, const std::string& path,
                        const std::string& hint) {
  m_diagnostics.error(code, message, where(at), path, hint);
}

bool FieldReader::expect_map(const YamlNode& node, const std::string& path,
                             std::initializer_list<std::string_view> allowed) {
  if (!node.is_map()) {
    error(codes::k_type_mismatch, "expected a mapping, found " + std::string(describe(node)), node, path);
    return false;
  }
  for (const auto& [key, value] : node.entries) {
    if (std::find(allowed.begin(), allowed.end(), key.value) != allowed.end()) continue;
    std::string suggestion = closest(key.value, allowed);
    std::string hint = suggestion.empty() ? "" : "did you mean `" + suggestion + "`?";
    error(codes::k_unknown_field, "unknown field '" + key.value + "'", key, join_path(path, key.value), hint);
  }
  return true;
}

std::optional<std::string> FieldReader::as_string(const YamlNode& node, const std::string& path) {
  if (node.is_scalar() && node.quoted) return node.value;
  if (node.is_scalar()) {
    if (is_bool_like(node.value) || is_number_like(node.value)) {
      error(codes::k_expected_string, "expected a string, found the plain value " + node.value, node, path,
            "quote it: \"" + node.value + "\"");
      return std::nullopt;
    }
    return node.value;
  }
  error(node.is_null() ? codes::k_expected_string : codes::k_type_mismatch,
        "expected a string, found " + std::string(describe(node)), node, path,
        node.is_null() ? "write a value, or quote it if it is meant as text" : "");
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::as_integer(const YamlNode& node, const std::string& path) {
  if (!node.is_scalar() || node.quoted) {
    error(codes::k_type_mismatch, "expected an integer, found " + std::string(describe(node)), node, path,
          node.quoted ? "remove the quotes" : "");
    return std::nullopt;
  }
  if (!is_canonical_int(node.value)) {
    bool numberish = is_number_like(node.value);
    error(numberish ? codes::k_non_canonical_integer : codes::k_type_mismatch,
          numberish ? "integers must be plain decimal (no leading zeros, signs, prefixes or underscores): " + node.value
                    : "expected an integer, found '" + node.value + "'",
          node, path);
    return std::nullopt;
  }
  errno = 0;
  char* end = nullptr;
  long long value = std::strtoll(node.value.c_str(), &end, 10);
  if (errno == ERANGE) {
    error(codes::k_out_of_range, "integer out of range: " + node.value, node, path);
    return std::nullopt;
  }
  return static_cast<std::int64_t>(value);
}

std::optional<std::string> FieldReader::string(const YamlNode& map, std::string_view key, const std::string& path,
                                               bool required) {
  const YamlNode* node = map.find(key);
  std::string field = join_path(path, key);
  if (node == nullptr) {
    if (required) error(codes::k_missing_field, "missing required field '" + std::string(key) + "'", map, field);
    return std::nullopt;
  }
  return as_string(*node, field);
}

std::optional<bool> FieldReader::boolean(const YamlNode& map, std::string_view key, const std::string& path) {
  const YamlNode* node = map.find(key);
  if (node == nullptr) return std::nullopt;
  std::string field = join_path(path, key);
  if (node->is_scalar() && !node->quoted && (node->value == "true" || node->value == "false")) {
    return node->value == "true";
  }
  if (node->is_scalar() && !node->quoted && is_bool_like(node->value)) {
    error(codes::k_ambiguous_boolean, "'" + node->value + "' is not a boolean here: only true and false are", *node,
          field, "use true or false");
    return std::nullopt;
  }
  error(codes::k_type_mismatch, "expected true or false, found " + std::string(describe(*node)), *node, field);
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::integer(const YamlNode& map, std::string_view key, const std::string& path,
                                                 bool required) {
  const YamlNode* node = map.find(key);
  std::string field = join_path(path, key);
  if (node == nullptr) {
    if (required) error(codes::k_missing_field, "missing required field '" + std::string(key) + "'", map, field);
    return std::nullopt;
  }
  return as_integer(*node, field);
}

model::Json FieldReader::string_map(const YamlNode* node, const std::string& path) {
  model::Json out = model::Json::object();
  if (node == nullptr || node->is_null()) return out;
  if (!node->is_map()) {
    error(codes::k_type_mismatch, "expected a mapping of strings, found " + std::string(describe(*node)), *node, path);
    return out;
  }
  for (const auto& [key, value] : node->entries) {
    if (auto text = as_string(value, join_path(path, key.value))) out[key.value] = *text;
  }
  return out;
}

model::Json FieldReader::free_form(const YamlNode& node, const std::string& path) {
  return free_form_below(node, path, nullptr);
}

model::Json FieldReader::free_form_below(const YamlNode& node, const std::string& root, const PathLink* at) {
  switch (node.type) {
    case YamlNode::Type::null: return nullptr;
    case YamlNode::Type::map: {
      model::Json out = model::Json::object();
      for (const auto& [key, value] : node.entries) {
        const PathLink link{at, key.value, 0, false};
        out[key.value] = free_form_below(value, root, &link);
      }
      return out;
    }
    case YamlNode::Type::sequence: {
      model::Json out = model::Json::array();
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        const PathLink link{at, {}, i, true};
        out.push_back(free_form_below(node.items[i], root, &link));
      }
      return out;
    }
    case YamlNode::Type::scalar: break;
  }
  if (node.quoted) return node.value;
  if (node.value == "true" || node.value == "false") return node.value == "true";
  if (is_bool_like(node.value)) {
    error(codes::k_ambiguous_boolean, "'" + node.value + "' is ambiguous: a string or a boolean?", node,
          spell(at, root), "write true/false for a boolean, or quote it for a string");
    return nullptr;
  }
  if (is_canonical_int(node.value)) {
    if (auto v = as_integer(node, spell(at, root))) return *v;
    return nullptr;
  }
  if (is_float(node.value)) return std::strtod(node.value.c_str(), nullptr);
  if (is_number_like(node.value)) {
    error(codes::k_non_canonical_integer, "'" + node.value + "' is not a plain decimal number", node, spell(at, root),
          "quote it for a string, or write the number in plain decimal");
    return nullptr;
  }
  return node.value;
}

}  // namespace plumb::load
