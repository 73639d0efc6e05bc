#include "api/router.hpp"

namespace plumb::api {
namespace {

bool valid_param(std::string_view segment) {
  if (segment.empty() || segment.size() > 128) return false;
  for (char c : segment) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Splits off the next '/'-separated segment of `rest` (which starts after a '/').
std::string_view next_segment(std::string_view& rest) {
  const auto slash = rest.find('/');
  std::string_view segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  return segment;
}

}  // namespace

void Router::add(Route route) { m_routes.push_back(std::move(route)); }

bool Router::match_template(std::string_view tmpl, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  if (tmpl.empty() || path.empty() || tmpl[0] != '/' || path[0] != '/') return false;
  if (path.size() > 1 && path.back() == '/') return false;  // "/v1/tenants/" is not "/v1/tenants"
  std::string_view t = tmpl.substr(1);
  std::string_view p = path.substr(1);
  bool t_done = false;
  bool p_done = false;
  while (true) {
    t_done = t.empty();
    p_done = p.empty();
    if (t_done || p_done) break;
    const std::string_view ts = next_segment(t);
    const std::string_view ps = next_segment(p);
    if (ts.size() > 2 && ts.front() == '{' && ts.back() == '}') {
      if (!valid_param(ps)) return false;
      params.emplace_back(ps);
    } else if (ts != ps) {
      return false;
    }
  }
  return t_done && p_done;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  std::vector<std::string> params;
  for (const auto& route : m_routes) {
    if (!match_template(route.path, path, params)) continue;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    result.allowed.push_back(route.method);
  }
  return result;
}

}  // namespace plumb::api
