#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace plumb::api {

// A permission a route needs: resource (tenants, workspaces, pipelines, roles, tokens, drift,
// syncs, audit) and action (read, write, trigger, reveal).
struct Permission {
  std::string_view resource;
  std::string_view action;
};

// Who is calling. The operator admin token sees every tenant and may do everything; a plumb
// ApiToken is bound to one tenant and holds its role's grants (`resource:action`, `*` wildcards).
struct Principal {
  bool admin = false;
  std::string tenant;                // "" for admin
  std::string token_name;            // "" for admin
  std::string role;
  std::vector<std::string> grants;   // e.g. {"*:read", "syncs:trigger"}
  std::string rate_key;              // identity for the per-token rate limiter (never the secret)

  // "admin" or "token:<tenant>/<name>": written into logs and audit rows.
  std::string actor() const;
  // Whether this principal may see `tenant`'s resources.
  bool sees_tenant(std::string_view tenant_name) const { return admin || tenant == tenant_name; }
  // Visibility scope bound into cursors: "*" for admin, else the tenant.
  std::string scope() const { return admin ? "*" : tenant; }
};

// The grants of a built-in role (owner, admin, editor, viewer, auditor per DESIGN §1); empty for
// any other name. admin lacks `tokens:reveal`.
std::vector<std::string> builtin_grants(std::string_view role);

// Deny by default: true only if some grant matches resource and action (each part exact or `*`).
bool allows(const std::vector<std::string>& grants, Permission needed);

}  // namespace plumb::api
