#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/load/load.hpp"
#include "reconciler/load/yaml_tree.hpp"
#include "reconciler/model/diagnostics.hpp"

namespace plumb::load {

// Strict YAML: reads every document of `text` (reported as `file`) into YamlNode trees.
// Refuses, with a located diagnostic each: invalid UTF-8 and NUL bytes and files over
// limits.max_file_bytes (checked before parsing), anchors, aliases, explicit tags, merge keys,
// duplicate keys, complex keys, nesting deeper than limits.max_depth, more documents than
// limits.max_documents_per_file, over-long scalars, and YAML syntax errors. Never throws.
// Documents after a fatal problem are not returned; empty documents are skipped.
std::vector<YamlNode> read_yaml(std::string_view text, const std::string& file, const LoadLimits& limits,
                                model::Diagnostics& diagnostics);

// Position (1-based line, column in characters) of byte offset `pos` in `text`.
std::pair<int, int> position_of(std::string_view text, std::size_t pos);

}  // namespace plumb::load
