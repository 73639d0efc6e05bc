// ServerState::handle: the one path every request takes (correlation, routing, auth, limits,
// handler, envelope, ETag, metrics).
#include <chrono>
#include <optional>
#include <variant>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "api/server_state.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"
#include "reconciler/util/utf8.hpp"

namespace plumb::api {
namespace {

// Credentials in a URL end up in proxy and access logs: refuse the usual parameter names, any
// token-shaped value, and the admin token under whatever name.
bool token_in_query(const httplib::Request& req, const std::string& admin_token) {
  static const char* const k_names[] = {"access_token", "token", "api_key", "apikey", "bearer", "authorization"};
  for (const auto& [name, value] : req.params) {
    for (const char* refused : k_names) {
      if (name == refused) return true;
    }
    if (token_format::contains_token_shape(value)) return true;
    if (!admin_token.empty() &&
        crypto::constant_time_equal(crypto::sha256_raw(value), crypto::sha256_raw(admin_token))) {
      return true;
    }
  }
  return false;
}

Reply rate_limited(long wait_seconds, std::string message) {
  Reply reply = error_reply(429, "RATE_LIMITED", std::move(message));
  reply.headers.emplace_back("Retry-After", std::to_string(wait_seconds));
  return reply;
}

Reply unauthenticated(std::string message) {
  Reply reply = error_reply(401, "UNAUTHENTICATED", std::move(message));
  reply.headers.emplace_back("WWW-Authenticate", "Bearer");
  return reply;
}

// The secret of an "Authorization: Bearer <secret>" header, or "" if absent or another scheme.
std::string bearer_secret(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() <= 7) return {};
  std::string scheme = header.substr(0, 7);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer ") return {};
  const auto start = header.find_first_not_of(' ', 7);
  return start == std::string::npos ? std::string() : header.substr(start);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

constexpr std::size_t k_max_header_count = 100;

// Framing the HTTP library tolerates but a proxy in front may read differently (request
// smuggling): a non-numeric or repeated-and-different Content-Length, or a flood of headers.
std::optional<Reply> framing_error(const httplib::Request& req) {
  if (req.headers.size() > k_max_header_count) {
    return error_reply(431, "TOO_MANY_HEADERS", "at most " + std::to_string(k_max_header_count) + " headers are accepted");
  }
  const auto [first, last] = req.headers.equal_range("Content-Length");
  for (auto it = first; it != last; ++it) {
    const std::string& value = it->second;
    const bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || value != first->second) {
      return error_reply(400, "BAD_CONTENT_LENGTH", "Content-Length must be one decimal number");
    }
  }
  return std::nullopt;
}

}  // namespace

// Authenticates and authorises a routed request; on refusal returns the reply to send.
static std::variant<Principal, Reply> authorize(ServerState& s, const httplib::Request& req, const Route& route,
                                                const std::vector<std::string>& params) {
  const std::string& address = req.remote_addr;
  if (const long wait = s.auth_failure_limiter.peek(address); wait > 0) {
    return rate_limited(wait, "too many failed authentications from this address");
  }
  const std::string secret = bearer_secret(req);
  if (secret.empty()) {
    s.auth_failure_limiter.acquire(address);
    return unauthenticated("missing bearer token (Authorization: Bearer <token>)");
  }
  auto found = s.authenticator.authenticate(secret);
  if (!found) return error_reply(503, "DB_UNAVAILABLE", "cannot check the token now; retry shortly");
  if (!*found) {
    s.auth_failure_limiter.acquire(address);
    return unauthenticated("invalid or expired token");
  }
  Principal principal = std::move(**found);
  if (const long wait = s.token_limiter.acquire(principal.rate_key); wait > 0) {
    return rate_limited(wait, "rate limit exceeded for this token");
  }
  // Another tenant's resource answers exactly as a missing one would.
  if (route.tenant_scoped && !params.empty() && !principal.sees_tenant(params[0])) {
    return error_reply(404, "RESOURCE_NOT_FOUND", "Tenant \"" + params[0] + "\" not found");
  }
  if (route.permission && !principal.admin && !allows(principal.grants, *route.permission)) {
    return error_reply(403, "FORBIDDEN",
                       "role \"" + principal.role + "\" lacks " + std::string(route.permission->resource) + ":" +
                           std::string(route.permission->action));
  }
  return principal;
}

static Reply route_request(ServerState& s, const httplib::Request& req, const std::string& cid, std::string& label) {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  auto match = s.router.match(method, req.path);
  if (!match.route) {
    if (match.allowed.empty()) return error_reply(404, "ROUTE_NOT_FOUND", "no route for " + req.path);
    Reply reply = error_reply(405, "METHOD_NOT_ALLOWED", req.method + " is not allowed on " + req.path);
    reply.headers.emplace_back("Allow", join(match.allowed));
    return reply;
  }
  label = match.route->path;
  if (token_in_query(req, s.config.admin_token)) {
    return error_reply(400, "TOKEN_IN_QUERY", "credentials are accepted only in the Authorization header");
  }
  // Names and parameters go to PostgreSQL as text: anything but UTF-8 is the caller's mistake.
  for (const auto& value : match.params) {
    if (!utf8::is_valid(value)) return error_reply(400, "INVALID_PARAMETER", "the path is not valid UTF-8 once decoded");
  }
  for (const auto& [name, value] : req.params) {
    if (!utf8::is_valid(name) || !utf8::is_valid(value)) {
      return error_reply(400, "INVALID_PARAMETER", "query parameters must be valid UTF-8 once decoded");
    }
  }
  Principal principal;
  if (match.route->authenticated) {
    auto outcome = authorize(s, req, *match.route, match.params);
    if (auto* refusal = std::get_if<Reply>(&outcome)) return std::move(*refusal);
    principal = std::move(std::get<Principal>(outcome));
  }
  RequestContext ctx{req, cid, std::move(principal), std::move(match.params)};
  try {
    return match.route->handler(ctx);
  } catch (const std::exception& e) {
    spdlog::error("api: {} {} failed [{}]: {}", req.method, label, cid, e.what());
    return error_reply(500, "INTERNAL", "internal error; quote the correlation id when reporting it");
  }
}

static void write_reply(const httplib::Request& req, httplib::Response& res, Reply& reply, const std::string& cid) {
  res.set_header("X-Correlation-Id", cid);
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  res.status = reply.status;
  if (reply.error) {
    if (reply.status >= 500) spdlog::warn("api: {} {} -> {} {} [{}]", req.method, req.path, reply.status, reply.error->code, cid);
    res.set_content(render_error(*reply.error, cid), "application/json");
    return;
  }
  if (reply.etag && reply.status == 200) {
    const std::string etag = reply.etag_value.empty() ? strong_etag(reply.body) : reply.etag_value;
    res.set_header("ETag", etag);
    if (req.has_header("If-None-Match") && if_none_match_hits(req.get_header_value("If-None-Match"), etag)) {
      res.status = 304;
      return;
    }
  }
  res.set_content(reply.body, reply.content_type.c_str());
}

void ServerState::handle(const httplib::Request& req, httplib::Response& res) {
  const auto started_at = std::chrono::steady_clock::now();
  guard.handling(req.remote_addr + ":" + std::to_string(req.remote_port));
  const std::string cid = correlation_id_for(req.get_header_value("X-Correlation-Id"));
  std::string label = "unmatched";
  const std::optional<Reply> refused = framing_error(req);
  Reply reply = refused ? *refused : route_request(*this, req, cid, label);
  write_reply(req, res, reply, cid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
  metrics.observe_http(label, req.method, res.status, seconds);
}

}  // namespace plumb::api
