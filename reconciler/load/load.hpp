#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "reconciler/model/diagnostics.hpp"
#include "reconciler/model/state.hpp"

namespace plumb::load {

// A manifest file's bytes and the path to report it under (relative to the config root,
// forward slashes). The loader takes contents, never paths: reading is the source's job.
struct SourceFile {
  std::string path;
  std::string content;
};

// Limits on untrusted input, all checked before the YAML parser can spend memory on it.
struct LoadLimits {
  std::size_t max_file_bytes = 1u << 20;     // 1 MiB per file
  std::size_t max_total_bytes = 256u << 20;  // all files together
  std::size_t max_files = 200'000;
  std::size_t max_documents_per_file = 1'000;
  std::size_t max_depth = 32;                // nesting of maps/sequences
  std::size_t max_scalar_bytes = 64u << 10;  // one string value
};

// The manifests of one file, validated on their own (YAML strictness, schema, per-resource
// rules). Cacheable by blob id: it depends only on the file's path and content.
struct ParsedFile {
  std::vector<model::Resource> resources;
  model::Diagnostics diagnostics;
};

// Parses and validates one file. Never throws on any input.
ParsedFile parse_file(const SourceFile& file, const LoadLimits& limits);

// parse_file on each of `files` on every core; results in the same order whatever the scheduling.
std::vector<ParsedFile> parse_files(const std::vector<const SourceFile*>& files, const LoadLimits& limits);

// Checks that need every file: identity unique across files, references resolve
// (workspace->tenant, pipeline->workspace, token->role), capability allowed by the tenant's
// plan. Sorts resources by key. `files` are the parse results of every file.
struct LoadResult {
  model::DesiredState desired;
  model::Diagnostics diagnostics;
};
LoadResult assemble(std::vector<ParsedFile> files);

// assemble()'s checks on resources held elsewhere (the operator's loader keeps most of them in
// the last desired state): `resources` in file order, then document order. Appends a diagnostic
// for each later declaration of a key and each broken reference; nothing is moved or copied.
struct CrossFileCheck {
  std::vector<model::Resource*> kept;  // sorted by key, the first declaration of each key
};
CrossFileCheck check_across_files(std::vector<model::Resource*> resources, model::Diagnostics& diagnostics);

// parse_file on every file (in parallel where it pays), the size/count limits across files,
// then assemble(). The one call `plumb validate` needs.
LoadResult load(std::span<const SourceFile> files, const LoadLimits& limits);

}  // namespace plumb::load
