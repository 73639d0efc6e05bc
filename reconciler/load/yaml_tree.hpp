#pragma once
#include <string>
#include <utility>
#include <vector>

namespace plumb::load {

// A YAML node as plumb's strict reader builds it: no anchors, aliases, tags or merge keys can
// reach here (the reader refuses them). Positions are 1-based, as editors count.
struct YamlNode {
  enum class Type { null, scalar, sequence, map };
  Type type = Type::null;
  bool quoted = false;  // scalar written in quotes (or a block scalar): always a string
  std::string value;    // scalar text
  int line = 0;
  int column = 0;
  std::vector<YamlNode> items;                          // sequence
  std::vector<std::pair<YamlNode, YamlNode>> entries;   // map, in document order

  // Special members defined in the .cpp, where YamlNode is complete: clang with libstdc++
  // cannot instantiate std::pair<YamlNode, YamlNode> inside the class (the fuzz build uses clang).
  YamlNode() = default;
  YamlNode(const YamlNode&);
  YamlNode(YamlNode&&) noexcept;
  YamlNode& operator=(const YamlNode&);
  YamlNode& operator=(YamlNode&&) noexcept;
  ~YamlNode();

  bool is_map() const { return type == Type::map; }
  bool is_sequence() const { return type == Type::sequence; }
  bool is_scalar() const { return type == Type::scalar; }
  bool is_null() const { return type == Type::null; }

  // The value of key `key` in a map, or nullptr (also when this is not a map).
  const YamlNode* find(std::string_view key) const;
  // The key node of `key` (for its position), or nullptr.
  const YamlNode* find_key(std::string_view key) const;
};

// Human name of a node's type for messages: "a mapping", "a list", "a string", "null".
std::string_view describe(const YamlNode& node);

}  // namespace plumb::load
