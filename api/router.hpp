#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/permissions.hpp"
#include "api/reply.hpp"

namespace httplib {
struct Request;
}

namespace plumb::api {

// What a handler sees of a request once it has been routed and authorised.
struct RequestContext {
  const httplib::Request& request;
  std::string correlation_id;
  Principal principal;
  std::vector<std::string> params;  // path parameters in template order
};

using RouteHandler = std::function<Reply(const RequestContext&)>;

// One route: an OpenAPI-style template ("/v1/tenants/{tenant}/roles/{name}") and its policy.
struct Route {
  std::string method;                 // "GET" or "POST"
  std::string path;                   // template, exactly as in openapi.yaml
  bool authenticated = true;          // false: public (health, metrics, openapi, webhooks)
  std::optional<Permission> permission;
  bool tenant_scoped = false;         // params[0] is a tenant: another tenant's is a 404
  RouteHandler handler;
};

// Matches paths against templates segment by segment (no regex on the hot path). A parameter
// segment accepts 1-128 characters of [A-Za-z0-9._:-]; anything else does not match.
class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;       // set when path and method match
    std::vector<std::string> params;
    std::vector<std::string> allowed;   // path matched but method did not: the methods that exist
  };
  Match match(std::string_view method, std::string_view path) const;

  // Every registered route, in registration order.
  const std::vector<Route>& routes() const { return m_routes; }

 private:
  static bool match_template(std::string_view tmpl, std::string_view path, std::vector<std::string>& params);
  std::vector<Route> m_routes;
};

}  // namespace plumb::api
