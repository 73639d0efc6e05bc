#include "reconciler/load/yaml_reader.hpp"

#include <yaml.h>

#include <unordered_map>

#include "reconciler/load/codes.hpp"
#include "reconciler/util/utf8.hpp"

namespace plumb::load {
namespace {

// libyaml's parser and event, released whatever path leaves read_yaml.
class Parser {
 public:
  explicit Parser(std::string_view text) {
    m_ready = yaml_parser_initialize(&m_parser) != 0;
    if (m_ready) {
      yaml_parser_set_input_string(&m_parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
      yaml_parser_set_encoding(&m_parser, YAML_UTF8_ENCODING);
    }
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  ~Parser() {
    release_event();
    if (m_ready) yaml_parser_delete(&m_parser);
  }

  bool ready() const { return m_ready; }
  // The next event, or nullptr on a syntax error (see problem()).
  const yaml_event_t* next() {
    release_event();
    if (yaml_parser_parse(&m_parser, &m_event) == 0) return nullptr;
    m_has_event = true;
    return &m_event;
  }
  const yaml_parser_t& state() const { return m_parser; }

 private:
  void release_event() {
    if (m_has_event) yaml_event_delete(&m_event);
    m_has_event = false;
  }

  yaml_parser_t m_parser{};
  yaml_event_t m_event{};
  bool m_ready = false;
  bool m_has_event = false;
};

// Builds YamlNode trees from libyaml's events, refusing what plumb manifests may not contain.
// Every method returns false after reporting a fatal problem: the reader then stops.
class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, const LoadLimits& limits, model::Diagnostics& diagnostics)
      : m_file(file), m_limits(limits), m_diagnostics(diagnostics) {}

  void start_document() {
    m_root = YamlNode{};
    m_has_root = false;
    m_stack.clear();
  }
  bool has_root() const { return m_has_root; }
  YamlNode take_root() { return std::move(m_root); }

  bool scalar(const yaml_event_t& event) {
    const auto& data = event.data.scalar;
    if (!check_anchor_and_tag(event.start_mark, data.anchor, data.tag)) return false;
    if (data.length > m_limits.max_scalar_bytes) {
      return fatal(codes::k_scalar_too_long,
                   "value is " + std::to_string(data.length) + " bytes, over the limit of " +
                       std::to_string(m_limits.max_scalar_bytes),
                   event.start_mark);
    }
    YamlNode node = make(YamlNode::Type::scalar, event.start_mark);
    node.quoted = data.style != YAML_PLAIN_SCALAR_STYLE;
    node.value.assign(reinterpret_cast<const char*>(data.value), data.length);
    if (!node.quoted && is_null_word(node.value)) {
      node.type = YamlNode::Type::null;
      node.value.clear();
    }
    return attach(std::move(node)) != nullptr;
  }

  bool open(YamlNode::Type type, const yaml_event_t& event, const yaml_char_t* anchor, const yaml_char_t* tag) {
    if (!check_anchor_and_tag(event.start_mark, anchor, tag)) return false;
    if (m_stack.size() + 1 > m_limits.max_depth) {
      return fatal(codes::k_too_deep, "nesting is deeper than " + std::to_string(m_limits.max_depth) + " levels",
                   event.start_mark);
    }
    YamlNode* node = attach(make(type, event.start_mark));
    if (node == nullptr) return false;
    m_stack.push_back({node, true});
    return true;
  }

  void close() {
    if (m_stack.empty()) return;
    if (m_stack.back().node->is_map()) check_keys(*m_stack.back().node);
    m_stack.pop_back();
  }

  bool alias(const yaml_event_t& event) {
    return fatal(codes::k_yaml_alias, "aliases (*name) are not allowed: write the value out in full",
                 event.start_mark);
  }

 private:
  struct Frame {
    YamlNode* node;
    bool expecting_key;
  };

  // An unquoted empty value, `~` or `null` (in YAML 1.2's core spellings) is null.
  static bool is_null_word(const std::string& value) {
    return value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL";
  }

  static YamlNode make(YamlNode::Type type, const yaml_mark_t& mark) {
    YamlNode node;
    node.type = type;
    node.line = static_cast<int>(mark.line) + 1;
    node.column = static_cast<int>(mark.column) + 1;
    return node;
  }

  bool fatal(const char* code, const std::string& message, int line, int column, const std::string& hint = {}) {
    m_diagnostics.error(code, message, {m_file, line, column}, "", hint);
    return false;
  }
  bool fatal(const char* code, const std::string& message, const yaml_mark_t& mark, const std::string& hint = {}) {
    return fatal(code, message, static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1, hint);
  }

  bool check_anchor_and_tag(const yaml_mark_t& mark, const yaml_char_t* anchor, const yaml_char_t* tag) {
    if (anchor != nullptr) {
      return fatal(codes::k_yaml_anchor, "anchors (&name) are not allowed: plumb manifests are plain data", mark,
                   "remove the anchor and repeat the value where it is needed");
    }
    if (tag != nullptr) {
      return fatal(codes::k_yaml_tag,
                   "explicit tags (" + std::string(reinterpret_cast<const char*>(tag)) + ") are not allowed", mark,
                   "remove the tag");
    }
    return true;
  }

  // Adds a finished node to the current parent (or makes it the document root); returns where
  // it now lives, so containers can be filled in place, or nullptr after a fatal problem.
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
        fatal(codes::k_yaml_complex_key, "keys must be plain strings, not " + std::string(describe(node)), node.line,
              node.column);
        return nullptr;
      }
      if (!node.quoted && node.value == "<<") {
        fatal(codes::k_yaml_merge_key, "merge keys (<<) are not allowed", node.line, node.column,
              "write the merged fields out");
        return nullptr;
      }
      top.node->entries.emplace_back(std::move(node), YamlNode{});
      top.expecting_key = false;
      return &top.node->entries.back().first;
    }
    top.node->entries.back().second = std::move(node);
    top.expecting_key = true;
    return &top.node->entries.back().second;
  }

  void check_keys(const YamlNode& map) {
    if (map.entries.size() < 2) return;
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

// libyaml's description of a syntax error: "did not find expected node content while parsing
// a flow node".
std::string syntax_message(const yaml_parser_t& parser) {
  std::string message = "YAML syntax error: ";
  message += parser.problem != nullptr ? parser.problem : "cannot parse";
  if (parser.context != nullptr) message += std::string(" ") + parser.context;
  return message;
}

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
  Parser parser(text);
  if (!parser.ready()) {
    diagnostics.error(codes::k_yaml_syntax, "cannot start the YAML parser (out of memory)", {file, 0, 0});
    return documents;
  }
  TreeBuilder builder(file, limits, diagnostics);
  std::size_t count = 0;
  for (;;) {
    const yaml_event_t* event = parser.next();
    if (event == nullptr) {
      const yaml_mark_t& mark = parser.state().problem_mark;
      diagnostics.error(codes::k_yaml_syntax, syntax_message(parser.state()),
                        {file, static_cast<int>(mark.line) + 1, static_cast<int>(mark.column) + 1});
      return documents;
    }
    bool ok = true;
    switch (event->type) {
      case YAML_STREAM_END_EVENT:
        return documents;
      case YAML_DOCUMENT_START_EVENT:
        if (++count > limits.max_documents_per_file) {
          diagnostics.error(codes::k_too_many_documents,
                            "more than " + std::to_string(limits.max_documents_per_file) + " documents in one file",
                            {file, 0, 0}, "", "split it into several files");
          return documents;
        }
        builder.start_document();
        break;
      case YAML_DOCUMENT_END_EVENT:
        if (builder.has_root()) {
          YamlNode root = builder.take_root();
          if (!root.is_null()) documents.push_back(std::move(root));
        }
        break;
      case YAML_ALIAS_EVENT:
        ok = builder.alias(*event);
        break;
      case YAML_SCALAR_EVENT:
        ok = builder.scalar(*event);
        break;
      case YAML_SEQUENCE_START_EVENT:
        ok = builder.open(YamlNode::Type::sequence, *event, event->data.sequence_start.anchor,
                          event->data.sequence_start.tag);
        break;
      case YAML_MAPPING_START_EVENT:
        ok = builder.open(YamlNode::Type::map, *event, event->data.mapping_start.anchor,
                          event->data.mapping_start.tag);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        builder.close();
        break;
      default:
        break;
    }
    if (!ok) return documents;
  }
}

}  // namespace plumb::load
