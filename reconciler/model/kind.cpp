#include "reconciler/model/kind.hpp"

namespace plumb::model {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::tenant: return "Tenant";
    case Kind::role: return "Role";
    case Kind::workspace: return "Workspace";
    case Kind::pipeline: return "Pipeline";
    case Kind::api_token: return "ApiToken";
  }
  return "Tenant";
}

std::optional<Kind> parse_kind(std::string_view name) {
  for (Kind kind : k_all_kinds) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view kind_slug(Kind kind) {
  switch (kind) {
    case Kind::tenant: return "tenant";
    case Kind::role: return "role";
    case Kind::workspace: return "workspace";
    case Kind::pipeline: return "pipeline";
    case Kind::api_token: return "token";
  }
  return "tenant";
}

bool has_tenant(Kind kind) { return kind != Kind::tenant; }
bool has_workspace(Kind kind) { return kind == Kind::pipeline; }

int apply_rank(Kind kind) {
  switch (kind) {
    case Kind::tenant: return 0;
    case Kind::role:
    case Kind::workspace: return 1;
    case Kind::pipeline:
    case Kind::api_token: return 2;
  }
  return 0;
}

}  // namespace plumb::model
