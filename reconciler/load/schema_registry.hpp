#pragma once
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "reconciler/load/json_schema.hpp"
#include "reconciler/load/yaml_tree.hpp"
#include "reconciler/model/diagnostics.hpp"
#include "reconciler/model/kind.hpp"
#include "reconciler/util/embedded_file.hpp"

namespace plumb::load {

// The schema files of schemas/*.schema.json as compiled into the binary (path relative to the
// repository, e.g. "schemas/tenant.schema.json", and content). For tools such as docs.
std::span<const EmbeddedFile> schema_files();

// The embedded schema of a manifest kind, compiled once on first use (thread-safe) in strict
// mode. A broken embedded schema is a build bug: it aborts with a message.
const JsonSchema& manifest_schema(model::Kind kind);

// Path of a kind's schema inside the repository ("schemas/apitoken.schema.json").
std::string schema_path(model::Kind kind);

// The JSON value a schema sees for a strictly-read YAML node: quoted scalars are strings, plain
// true/false booleans, canonical decimal integers integers, plain decimals numbers, null null,
// any other plain scalar a string. Not a validator: manifest.cpp rejects ambiguous scalars.
nlohmann::json to_json(const YamlNode& node);

// Validates one manifest document against its kind's embedded schema and appends every failure
// to `diagnostics` at the offending node (file:line:column of `file`), with a stable code
// (UNKNOWN_FIELD, MISSING_FIELD, TYPE_MISMATCH, INVALID_VALUE, ...), field path and hint.
// Returns the number of diagnostics added.
std::size_t check_schema(const YamlNode& document, model::Kind kind, const std::string& file,
                         model::Diagnostics& diagnostics);

}  // namespace plumb::load
