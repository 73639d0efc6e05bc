#include "reconciler/load/yaml_reader.hpp"

#include <sstream>
#include <unordered_map>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "reconciler/load/codes.hpp"
#include "reconciler/util/utf8.hpp"

namespace plumb::load {
namespace {

// Thrown by the handler to stop yaml-cpp at the first fatal problem; caught in read_yaml.
struct Abort {};

class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& file, const LoadLimits& limits, model::Diagnostics& diagnostics)
      : m_file(file), m_limits(limits), m_diagnostics(diagnostics) {}

  void OnDocumentStart(const YAML::Mark&) override {
    m_root = YamlNode{};
    m_has_root = false;
    m_stack.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    check_anchor(mark, anchor);
    attach(make(YamlNode::Type::null, mark));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    fatal(codes::k_yaml_alias, "aliases (*name) are not allowed: write the value out in full", mark);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    if (value.size() > m_limits.max_scalar_bytes) {
      fatal(codes::k_scalar_too_long,
            "value is " + std::to_string(value.size()) + " bytes, over the limit of " +
                std::to_string(m_limits.max_scalar_bytes),
            mark);
    }
    YamlNode node = make(YamlNode::Type::scalar, mark);
    node.quoted = tag == "!";
    node.value = value;
    if (!node.quoted && (value == "~" || value == "null" || value == "Null" || value == "NULL")) {
      node.type = YamlNode::Type::null;
    }
    attach(std::move(node));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlNode::Type::sequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlNode::Type::map, mark, tag, anchor);
  }
  void OnMapEnd() override {
    check_keys(*m_stack.back().node);
    close();
  }

  bool has_root() const { return m_has_root; }
  YamlNode take_root() { return std::move(m_root); }

 private:
  struct Frame {
    YamlNode* node;
    bool expecting_key;
  };

  YamlNode make(YamlNode::Type type, const YAML::Mark& mark) const {
    YamlNode node;
    node.type = type;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    return node;
  }

  [[noreturn]] void fatal(const char* code, const std::string& message, const YAML::Mark& mark,
                          const std::string& hint = {}) {
    m_diagnostics.error(code, message, {m_file, mark.line + 1, mark.column + 1}, "", hint);
    throw Abort{};
  }

  void check_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      fatal(codes::k_yaml_anchor, "anchors (&name) are not allowed: plumb manifests are plain data", mark,
            "remove the anchor and repeat the value where it is needed");
    }
  }

  void check_tag(const YAML::Mark& mark, const std::string& tag) {
    if (!tag.empty() && tag != "?" && tag != "!") {
      fatal(codes::k_yaml_tag, "explicit tags (" + tag + ") are not allowed", mark, "remove the tag");
    }
  }

  // Adds a finished node to the current parent (or makes it the document root); returns where
  // it now lives, so containers can be filled in place.
  YamlNode* attach(YamlNode node) {
    if (m_stack.empty()) {
      m_root = std::move(node);
      m_has_root = true;
      return &m_root;
    }
    Frame& top = m_stack.back();
    if (top.node->type == YamlNode::Type::sequence) {
      top.node->items.push_back(std::move(node));
      return &top.node->items.back();
    }
    if (top.expecting_key) {
      if (node.type != YamlNode::Type::scalar) {
        YAML::Mark mark;
        mark.line = node.line - 1;
        mark.column = node.column - 1;
        fatal(codes::k_yaml_complex_key, "keys must be plain strings, not " + std::string(describe(node)), mark);
      }
      if (!node.quoted && node.value == "<<") {
        YAML::Mark mark;
        mark.line = node.line - 1;
        mark.column = node.column - 1;
        fatal(codes::k_yaml_merge_key, "merge keys (<<) are not allowed", mark, "write the merged fields out");
      }
      top.node->entries.emplace_back(std::move(node), YamlNode{});
      top.expecting_key = false;
      return &top.node->entries.back().first;
    }
    top.node->entries.back().second = std::move(node);
    top.expecting_key = true;
    return &top.node->entries.back().second;
  }

  void open(YamlNode::Type type, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    check_anchor(mark, anchor);
    check_tag(mark, tag);
    if (m_stack.size() + 1 > m_limits.max_depth) {
      fatal(codes::k_too_deep, "nesting is deeper than " + std::to_string(m_limits.max_depth) + " levels", mark);
    }
    YamlNode* node = attach(make(type, mark));
    m_stack.push_back({node, true});
  }

  void close() {
    if (!m_stack.empty()) m_stack.pop_back();
  }

  void check_keys(const YamlNode& map) {
    std::unordered_map<std::string_view, const YamlNode*> seen;
    seen.reserve(map.entries.size());
    for (const auto& entry : map.entries) {
      const YamlNode& key = entry.first;
      auto [it, inserted] = seen.emplace(key.value, &key);
      if (!inserted) {
        m_diagnostics.error(codes::k_duplicate_key,
                            "key '" + key.value + "' appears twice in the same mapping (first at line " +
                                std::to_string(it->second->line) + ")",
                            {m_file, key.line, key.column}, "", "remove one of them");
      }
    }
  }

  const std::string& m_file;
  const LoadLimits& m_limits;
  model::Diagnostics& m_diagnostics;
  YamlNode m_root;
  bool m_has_root = false;
  std::vector<Frame> m_stack;
};

}  // namespace

std::pair<int, int> position_of(std::string_view text, std::size_t pos) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

std::vector<YamlNode> read_yaml(std::string_view text, const std::string& file, const LoadLimits& limits,
                                model::Diagnostics& diagnostics) {
  std::vector<YamlNode> documents;
  if (text.size() > limits.max_file_bytes) {
    diagnostics.error(codes::k_file_too_large,
                      "file is " + std::to_string(text.size()) + " bytes, over the limit of " +
                          std::to_string(limits.max_file_bytes) + " bytes",
                      {file, 0, 0}, "", "split it into several files");
    return documents;
  }
  if (std::size_t bad = utf8::first_invalid_byte(text); bad != std::string_view::npos) {
    auto [line, column] = position_of(text, bad);
    bool nul = text[bad] == '\0';
    diagnostics.error(nul ? codes::k_nul_byte : codes::k_invalid_utf8,
                      nul ? "file contains a NUL byte" : "file is not valid UTF-8", {file, line, column}, "",
                      "save the file as UTF-8 text");
    return documents;
  }
  std::istringstream in{std::string(text)};
  TreeBuilder builder(file, limits, diagnostics);
  try {
    YAML::Parser parser(in);
    std::size_t count = 0;
    while (parser.HandleNextDocument(builder)) {
      if (++count > limits.max_documents_per_file) {
        diagnostics.error(codes::k_too_many_documents,
                          "more than " + std::to_string(limits.max_documents_per_file) + " documents in one file",
                          {file, 0, 0}, "", "split it into several files");
        return documents;
      }
      if (builder.has_root()) {
        YamlNode root = builder.take_root();
        if (!root.is_null()) documents.push_back(std::move(root));
      }
    }
  } catch (const Abort&) {
  } catch (const YAML::DeepRecursion& e) {
    diagnostics.error(codes::k_too_deep, "nesting is too deep", {file, e.mark.line + 1, e.mark.column + 1});
  } catch (const YAML::Exception& e) {
    diagnostics.error(codes::k_yaml_syntax, "YAML syntax error: " + e.msg, {file, e.mark.line + 1, e.mark.column + 1});
  } catch (const std::exception& e) {
    diagnostics.error(codes::k_yaml_syntax, std::string("cannot parse: ") + e.what(), {file, 0, 0});
  }
  return documents;
}

}  // namespace plumb::load
