#include "reconciler/load/yaml_tree.hpp"

namespace plumb::load {

YamlNode::YamlNode(const YamlNode&) = default;
YamlNode::YamlNode(YamlNode&&) noexcept = default;
YamlNode& YamlNode::operator=(const YamlNode&) = default;
YamlNode& YamlNode::operator=(YamlNode&&) noexcept = default;
YamlNode::~YamlNode() = default;

const YamlNode* YamlNode::find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.is_scalar() && k.value == key) return &v;
  }
  return nullptr;
}

const YamlNode* YamlNode::find_key(std::string_view key) const {
  for (const auto& entry : entries) {
    if (entry.first.is_scalar() && entry.first.value == key) return &entry.first;
  }
  return nullptr;
}

std::string_view describe(const YamlNode& node) {
  switch (node.type) {
    case YamlNode::Type::null: return "null";
    case YamlNode::Type::scalar: return node.quoted ? "a string" : "a scalar";
    case YamlNode::Type::sequence: return "a list";
    case YamlNode::Type::map: return "a mapping";
  }
  return "a value";
}

}  // namespace plumb::load
