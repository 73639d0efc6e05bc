#pragma once
// Internal to plumb_api: small pieces every list/get route uses.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/queries.hpp"
#include "api/reply.hpp"
#include "api/router.hpp"
#include "api/server_state.hpp"

namespace plumb::api {

inline constexpr std::size_t k_default_limit = 50;
inline constexpr std::size_t k_max_limit = 100;

// The page request of a list route: limit and the decoded cursor's last key.
struct PageRequest {
  std::size_t limit = k_default_limit;
  std::optional<std::vector<std::string>> after;
  std::string scope;  // cursor scope: route template plus filters
};

// Parses ?limit= (1..100, default 50) and ?cursor= for `scope`; a Reply (400) when invalid.
std::variant<PageRequest, Reply> page_request(const ServerState& s, const RequestContext& ctx, std::string scope);

// {"data": [...], "next_cursor": ..., "has_more": ...} with an ETag.
Reply page_reply(const ServerState& s, const RequestContext& ctx, const PageRequest& page, Page result);

// 404 RESOURCE_NOT_FOUND: `Kind "id" not found`, the same whether absent or another tenant's.
Reply not_found(std::string_view kind, std::string_view id);

// 503 for a database that cannot answer (transient) or 500 otherwise.
Reply db_failure(const Error& error);

// 400 INVALID_PARAMETER naming the parameter.
Reply bad_parameter(std::string_view name, std::string_view why);

// The query parameter `name`, "" if absent.
std::string query_param(const RequestContext& ctx, const char* name);

// Rejects query parameters outside `allowed` (typos would otherwise silently widen a filter).
std::optional<Reply> unknown_parameters(const RequestContext& ctx, std::initializer_list<std::string_view> allowed);

}  // namespace plumb::api
