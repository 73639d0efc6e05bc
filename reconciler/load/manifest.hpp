#pragma once
#include <optional>
#include <string>

#include "reconciler/load/fields.hpp"
#include "reconciler/load/yaml_tree.hpp"
#include "reconciler/model/resource.hpp"

namespace plumb::load {

// The one apiVersion plumb reads.
inline constexpr std::string_view k_api_version = "plumb.dev/v1";

// Converts one YAML document into a canonical Resource (TEAM.md / DESIGN §1: defaults filled
// in, lists that are sets sorted, timestamps normalised), reporting every problem through
// `reader`. Returns the resource whenever its identity (kind and names) is valid, even if its
// spec has errors, so cross-file checks do not pile up follow-on errors; nullopt otherwise.
std::optional<model::Resource> read_manifest(const YamlNode& document, FieldReader& reader);

// Reports SECRET_IN_MANIFEST for every scalar (key or value) that looks like a plumb token.
void check_no_secrets(const YamlNode& node, FieldReader& reader, const std::string& path);

}  // namespace plumb::load
