// Read routes over the managed resources: tenants, workspaces, pipelines, roles, tokens.
#include <httplib.h>

#include "api/route_helpers.hpp"
#include "reconciler/model/values.hpp"

namespace plumb::api {
namespace {

constexpr Permission k_read_tenants{"tenants", "read"};
constexpr Permission k_read_workspaces{"workspaces", "read"};
constexpr Permission k_read_pipelines{"pipelines", "read"};
constexpr Permission k_read_roles{"roles", "read"};
constexpr Permission k_read_tokens{"tokens", "read"};

const char* const k_live_tenant = "EXISTS (SELECT 1 FROM tenants t WHERE t.name = $1 AND t.deleted_at IS NULL)";
const char* const k_live_workspace =
    "EXISTS (SELECT 1 FROM workspaces w WHERE w.tenant = $1 AND w.name = $2 AND w.deleted_at IS NULL)";

// Token fields a client may see. Anything else in the row (the secret's hash, a sealed copy
// awaiting reveal) is left out by construction, whatever the store adds later.
const char* const k_token_fields[] = {"tenant",      "name",       "description", "role",         "ttl",
                                      "expires_at", "rotation",   "labels",      "annotations",  "managed_by",
                                      "source_file", "source_commit", "created_at", "updated_at", "revealed_at",
                                      "rotated_at",  "minted_at"};

Json shape_token(const Json& row, bool expired) {
  Json out = Json::object();
  for (const char* field : k_token_fields) {
    if (row.contains(field)) out[field] = row[field];
  }
  out["status"] = expired ? "Expired" : "Active";
  return camel_keys(out);
}

// The status of a token row by the database clock: reads it in the same query as the row.
const char* const k_token_status_sql =
    "(to_jsonb(t) || jsonb_build_object('__expired', t.expires_at IS NOT NULL AND t.expires_at <= now()))";

// `parent_kind`/`parent_id` name what a missing parent (query.parent_exists false) is reported as.
Reply list_reply(ServerState& s, const RequestContext& ctx, ListQuery query, std::string scope,
                 const std::function<Json(Json)>& shape, std::string_view parent_kind = {},
                 std::string_view parent_id = {}) {
  if (auto bad = unknown_parameters(ctx, {"limit", "cursor"})) return *bad;
  auto page = page_request(s, ctx, std::move(scope));
  if (auto* reply = std::get_if<Reply>(&page)) return *reply;
  const auto& req = std::get<PageRequest>(page);
  auto result = read_page(s.read_pool, query, req.limit, req.after);
  if (!result) return db_failure(result.error());
  if (result->parent_missing) return not_found(parent_kind, parent_id);
  for (auto& item : result->items) item = shape(std::move(item));
  return page_reply(s, ctx, req, std::move(*result));
}

// 404 for the named parent unless `exists_sql` finds it.
std::optional<Reply> missing_parent(ServerState& s, const char* exists_sql, const std::vector<std::string>& args,
                                    std::string_view kind, std::string_view id) {
  auto found = read_scalar(s.read_pool, std::string("SELECT CASE WHEN ") + exists_sql + " THEN 'y' END", args);
  if (!found) return db_failure(found.error());
  if (!*found) return not_found(kind, id);
  return std::nullopt;
}

Reply get_reply(ServerState& s, const std::string& table, const std::string& where, const std::vector<std::string>& args,
                std::string_view kind, std::string_view id, const std::function<Json(Json)>& shape) {
  auto row = read_one(s.read_pool, table, where, args);
  if (!row) return db_failure(row.error());
  if (!*row) return not_found(kind, id);
  return json_reply(200, shape(std::move(**row)), true);
}

Json plain(Json row) { return camel_keys(row); }

Json token_row(Json row) {
  const bool expired = row.value("__expired", false);
  return shape_token(row, expired);
}

Reply list_tenants(ServerState& s, const RequestContext& ctx) {
  ListQuery q{"tenants", "deleted_at IS NULL", {}, {{"name"}}, false, {}, {}, {}};
  if (!ctx.principal.admin) {
    q.where += " AND name = $1";
    q.args.push_back(ctx.principal.tenant);
  }
  return list_reply(s, ctx, q, "tenants", plain);
}

Reply get_tenant(ServerState& s, const RequestContext& ctx) {
  return get_reply(s, "tenants", "name = $1 AND deleted_at IS NULL", {ctx.params[0]}, "Tenant", ctx.params[0], plain);
}

Reply list_workspaces(ServerState& s, const RequestContext& ctx) {
  ListQuery q{"workspaces", "tenant = $1 AND deleted_at IS NULL", {ctx.params[0]}, {{"name"}}, false, {},
              k_live_tenant, {ctx.params[0]}};
  return list_reply(s, ctx, q, "workspaces:" + ctx.params[0], plain, "Tenant", ctx.params[0]);
}

Reply get_workspace(ServerState& s, const RequestContext& ctx) {
  if (auto missing = missing_parent(s, k_live_tenant, {ctx.params[0]}, "Tenant", ctx.params[0])) return *missing;
  return get_reply(s, "workspaces", "tenant = $1 AND name = $2 AND deleted_at IS NULL", {ctx.params[0], ctx.params[1]},
                   "Workspace", ctx.params[0] + "/" + ctx.params[1], plain);
}

Reply list_pipelines(ServerState& s, const RequestContext& ctx) {
  if (auto missing = missing_parent(s, k_live_tenant, {ctx.params[0]}, "Tenant", ctx.params[0])) return *missing;
  if (auto missing = missing_parent(s, k_live_workspace, {ctx.params[0], ctx.params[1]}, "Workspace",
                                    ctx.params[0] + "/" + ctx.params[1])) {
    return *missing;
  }
  ListQuery q{"pipelines", "tenant = $1 AND workspace = $2", {ctx.params[0], ctx.params[1]}, {{"name"}}, false, {}, {}, {}};
  return list_reply(s, ctx, q, "pipelines:" + ctx.params[0] + "/" + ctx.params[1], plain);
}

Reply get_pipeline(ServerState& s, const RequestContext& ctx) {
  if (auto missing = missing_parent(s, k_live_tenant, {ctx.params[0]}, "Tenant", ctx.params[0])) return *missing;
  return get_reply(s, "pipelines", "tenant = $1 AND workspace = $2 AND name = $3",
                   {ctx.params[0], ctx.params[1], ctx.params[2]}, "Pipeline",
                   ctx.params[0] + "/" + ctx.params[1] + "/" + ctx.params[2], plain);
}

Reply list_roles(ServerState& s, const RequestContext& ctx) {
  ListQuery q{"roles", "tenant = $1", {ctx.params[0]}, {{"name"}}, false, {}, k_live_tenant, {ctx.params[0]}};
  return list_reply(s, ctx, q, "roles:" + ctx.params[0], plain, "Tenant", ctx.params[0]);
}

Reply get_role(ServerState& s, const RequestContext& ctx) {
  if (auto missing = missing_parent(s, k_live_tenant, {ctx.params[0]}, "Tenant", ctx.params[0])) return *missing;
  if (model::is_builtin_role(ctx.params[1])) {
    Json role = {{"tenant", ctx.params[0]}, {"name", ctx.params[1]}, {"builtin", true},
                 {"permissions", builtin_grants(ctx.params[1])}};
    return json_reply(200, role, true);
  }
  return get_reply(s, "roles", "tenant = $1 AND name = $2", {ctx.params[0], ctx.params[1]}, "Role",
                   ctx.params[0] + "/" + ctx.params[1], plain);
}

Reply list_tokens(ServerState& s, const RequestContext& ctx) {
  ListQuery q{"(SELECT " + std::string(k_token_status_sql) + " AS j, t.tenant, t.name FROM api_tokens t) ",
              "tenant = $1", {ctx.params[0]}, {{"name"}}, false, {}, k_live_tenant, {ctx.params[0]}};
  return list_reply(s, ctx, q, "tokens:" + ctx.params[0], [](Json row) { return token_row(row.value("j", Json::object())); },
                    "Tenant", ctx.params[0]);
}

Reply get_token(ServerState& s, const RequestContext& ctx) {
  if (auto missing = missing_parent(s, k_live_tenant, {ctx.params[0]}, "Tenant", ctx.params[0])) return *missing;
  return get_reply(s, "(SELECT " + std::string(k_token_status_sql) + " AS j, t.tenant, t.name FROM api_tokens t) ",
                   "tenant = $1 AND name = $2", {ctx.params[0], ctx.params[1]}, "ApiToken",
                   ctx.params[0] + "/" + ctx.params[1], [](Json row) { return token_row(row.value("j", Json::object())); });
}

void add(ServerState& s, const char* path, Permission perm, Reply (*fn)(ServerState&, const RequestContext&)) {
  Route route;
  route.method = "GET";
  route.path = path;
  route.permission = perm;
  route.tenant_scoped = std::string_view(path).rfind("/v1/tenants/{tenant}", 0) == 0;
  route.handler = [&s, fn](const RequestContext& ctx) { return fn(s, ctx); };
  s.router.add(std::move(route));
}

}  // namespace

void add_state_routes(ServerState& s) {
  add(s, "/v1/tenants", k_read_tenants, list_tenants);
  add(s, "/v1/tenants/{tenant}", k_read_tenants, get_tenant);
  add(s, "/v1/tenants/{tenant}/workspaces", k_read_workspaces, list_workspaces);
  add(s, "/v1/tenants/{tenant}/workspaces/{workspace}", k_read_workspaces, get_workspace);
  add(s, "/v1/tenants/{tenant}/workspaces/{workspace}/pipelines", k_read_pipelines, list_pipelines);
  add(s, "/v1/tenants/{tenant}/workspaces/{workspace}/pipelines/{pipeline}", k_read_pipelines, get_pipeline);
  add(s, "/v1/tenants/{tenant}/roles", k_read_roles, list_roles);
  add(s, "/v1/tenants/{tenant}/roles/{role}", k_read_roles, get_role);
  add(s, "/v1/tenants/{tenant}/tokens", k_read_tokens, list_tokens);
  add(s, "/v1/tenants/{tenant}/tokens/{token}", k_read_tokens, get_token);
}

}  // namespace plumb::api
