#pragma once
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reconciler/model/kind.hpp"

namespace plumb::model {

using Json = nlohmann::json;  // objects keep keys sorted, so dump() is canonical

// Identity of a resource: (kind, tenant, [workspace,] name). Fields a kind does not use are
// empty. Ordering is kind (dependency order), then tenant, workspace, name.
struct ResourceKey {
  Kind kind = Kind::tenant;
  std::string tenant;
  std::string workspace;
  std::string name;

  // "Tenant/acme", "Workspace/acme/analytics", "Pipeline/acme/analytics/ingest".
  std::string str() const;
  friend auto operator<=>(const ResourceKey&, const ResourceKey&) = default;
  friend bool operator==(const ResourceKey&, const ResourceKey&) = default;
};

// Where something was written: 1-based line and column as editors count; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:column", omitting what is unknown.
  std::string str() const;
};

// A declared resource in canonical form. `spec` has defaults filled in and values normalised
// (timestamps in UTC `YYYY-MM-DDTHH:MM:SSZ`), so that two resources meaning the same thing
// compare equal whichever way they were written.
struct Resource {
  ResourceKey key;
  Json labels = Json::object();       // string -> string
  Json annotations = Json::object();  // string -> string
  Json spec = Json::object();
  SourceLocation source;              // of the document's `kind:` line; empty for actual state

  // {"metadata": {"labels", "annotations"}, "spec"}: the part that is compared and hashed.
  Json body() const;

  // The canonical serialisation of body(): sorted keys, no whitespace.
  std::string canonical() const;
};

// The management policy of a resource (annotation `plumb.dev/policy`, or per kind).
enum class Policy { full, create_only, no_delete, observe };

std::string_view policy_name(Policy policy);              // "full", "create-only", ...
std::optional<Policy> parse_policy(std::string_view name);

// Well-known annotations.
inline constexpr std::string_view k_annotation_policy = "plumb.dev/policy";
inline constexpr std::string_view k_annotation_prevent_destroy = "plumb.dev/prevent-destroy";

// The resource's own policy annotation, if it has a valid one.
std::optional<Policy> annotated_policy(const Resource& resource);

// True if annotations say `plumb.dev/prevent-destroy: "true"`.
bool prevents_destroy(const Resource& resource);

}  // namespace plumb::model
