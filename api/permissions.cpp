#include "api/permissions.hpp"

namespace plumb::api {

std::string Principal::actor() const { return admin ? "admin" : "token:" + tenant + "/" + token_name; }

std::vector<std::string> builtin_grants(std::string_view role) {
  if (role == "owner") return {"*:*"};
  if (role == "admin") {
    // Everything except revealing other tokens' secrets.
    return {"*:read", "*:write", "*:trigger", "tenants:*", "workspaces:*", "pipelines:*", "roles:*", "drift:*",
            "syncs:*", "audit:*", "tokens:read", "tokens:write", "tokens:trigger"};
  }
  if (role == "editor") return {"*:read", "*:write"};
  if (role == "viewer") return {"*:read"};
  if (role == "auditor") return {"audit:read", "drift:read"};
  return {};
}

bool allows(const std::vector<std::string>& grants, Permission needed) {
  for (const auto& grant : grants) {
    const auto colon = grant.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view resource = std::string_view(grant).substr(0, colon);
    const std::string_view action = std::string_view(grant).substr(colon + 1);
    if ((resource == "*" || resource == needed.resource) && (action == "*" || action == needed.action)) return true;
  }
  return false;
}

}  // namespace plumb::api
