#include "api/route_helpers.hpp"

#include <charconv>

#include <httplib.h>
#include <spdlog/spdlog.h>

namespace plumb::api {

std::string query_param(const RequestContext& ctx, const char* name) {
  return ctx.request.has_param(name) ? ctx.request.get_param_value(name) : std::string();
}

std::optional<Reply> unknown_parameters(const RequestContext& ctx, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : ctx.request.params) {
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (!known) return bad_parameter(name, "unknown query parameter");
    if (ctx.request.get_param_value_count(name.c_str()) > 1) return bad_parameter(name, "given more than once");
  }
  return std::nullopt;
}

std::variant<PageRequest, Reply> page_request(const ServerState& s, const RequestContext& ctx, std::string scope) {
  PageRequest page;
  page.scope = std::move(scope);
  if (ctx.request.has_param("limit")) {
    const std::string text = ctx.request.get_param_value("limit");
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > k_max_limit) {
      return bad_parameter("limit", "must be an integer from 1 to 100");
    }
    page.limit = value;
  }
  if (ctx.request.has_param("cursor")) {
    page.after = s.cursors.decode(ctx.request.get_param_value("cursor"), page.scope, ctx.principal.scope());
    if (!page.after) return error_reply(400, "INVALID_CURSOR", "the cursor is malformed, tampered with, or from another list");
  }
  return page;
}

Reply page_reply(const ServerState& s, const RequestContext& ctx, const PageRequest& page, Page result) {
  Json body = {{"data", std::move(result.items)}, {"has_more", result.next_key.has_value()}, {"next_cursor", nullptr}};
  if (result.next_key) body["next_cursor"] = s.cursors.encode(page.scope, ctx.principal.scope(), *result.next_key);
  return json_reply(200, body, true);
}

Reply not_found(std::string_view kind, std::string_view id) {
  return error_reply(404, "RESOURCE_NOT_FOUND", std::string(kind) + " \"" + std::string(id) + "\" not found");
}

Reply db_failure(const Error& error) {
  spdlog::warn("api: database: {}: {}", error.code, error.message);
  if (error.kind == ErrorKind::transient && error.code == "DB_UNAVAILABLE") {
    Reply reply = error_reply(503, "DB_UNAVAILABLE", "the database is unavailable; retry shortly");
    reply.headers.emplace_back("Retry-After", "1");
    return reply;
  }
  return error_reply(500, "INTERNAL", "the database query failed; quote the correlation id when reporting it");
}

Reply bad_parameter(std::string_view name, std::string_view why) {
  return error_reply(400, "INVALID_PARAMETER", "query parameter \"" + std::string(name) + "\": " + std::string(why));
}

}  // namespace plumb::api
