#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace plumb::model {

// The five kinds of resource, in dependency order: a kind may reference only kinds before it
// (a Workspace its Tenant, a Pipeline its Workspace, an ApiToken its Role). Creates follow this
// order, deletes go in reverse.
enum class Kind : std::uint8_t { tenant, role, workspace, pipeline, api_token };

inline constexpr std::array<Kind, 5> k_all_kinds = {Kind::tenant, Kind::role, Kind::workspace, Kind::pipeline,
                                                    Kind::api_token};

// "Tenant", "Role", "Workspace", "Pipeline", "ApiToken": the manifest `kind` value.
std::string_view kind_name(Kind kind);

// Inverse of kind_name; nullopt for anything else (case-sensitive, as Kubernetes is).
std::optional<Kind> parse_kind(std::string_view name);

// Lower-case singular used in audit actions and metrics: "tenant", "api_token" -> "token".
std::string_view kind_slug(Kind kind);

// Whether the kind is scoped by metadata.tenant / metadata.workspace.
bool has_tenant(Kind kind);
bool has_workspace(Kind kind);

// Apply rank: tenants 0; roles and workspaces 1; pipelines and tokens 2.
int apply_rank(Kind kind);

}  // namespace plumb::model
