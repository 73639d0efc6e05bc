// Read routes over reconciliation: drift, syncs, audit, status; and the operational endpoints.
#include <algorithm>
#include <map>

#include <httplib.h>

#include "api/route_helpers.hpp"
#include "reconciler/model/kind.hpp"
#include "reconciler/model/values.hpp"

namespace plumb::api {
namespace {

constexpr std::size_t k_drift_cache_max = 256;

bool valid_drift_type(const std::string& type) {
  return type == "missing" || type == "modified" || type == "unmanaged" || type == "orphaned";
}

// Filters of /v1/drift as SQL over drift_items, with the caller's tenant forced for tenant tokens.
std::variant<ListQuery, Reply> drift_query(const RequestContext& ctx) {
  ListQuery q{"drift_items", "TRUE", {}, {{"kind"}, {"tenant"}, {"workspace"}, {"name"}}, false, {}, {}, {}};
  const std::string kind = query_param(ctx, "kind");
  const std::string type = query_param(ctx, "type");
  std::string tenant = query_param(ctx, "tenant");
  if (!kind.empty() && !model::parse_kind(kind)) return bad_parameter("kind", "must be Tenant, Role, Workspace, Pipeline or ApiToken");
  if (!type.empty() && !valid_drift_type(type)) return bad_parameter("type", "must be missing, modified, unmanaged or orphaned");
  if (!tenant.empty() && !model::is_slug(tenant)) return bad_parameter("tenant", "must be a tenant name");
  if (!ctx.principal.admin) {
    if (!tenant.empty() && tenant != ctx.principal.tenant) return Reply{};  // empty page: sees nothing else
    tenant = ctx.principal.tenant;
  }
  const auto add = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    q.args.push_back(value);
    q.where += std::string(" AND ") + column + " = $" + std::to_string(q.args.size());
  };
  add("kind", kind);
  add("type", type);
  if (!tenant.empty()) {
    // A Tenant's own row is keyed by name, with an empty tenant column.
    q.args.push_back(tenant);
    const std::string n = std::to_string(q.args.size());
    q.where += " AND (tenant = $" + n + " OR (kind = 'Tenant' AND tenant = '' AND name = $" + n + "))";
  }
  return q;
}

Json drift_summary(const Json& counts) {
  Json by_type = {{"missing", 0}, {"modified", 0}, {"unmanaged", 0}, {"orphaned", 0}};
  Json by_kind = Json::object();
  std::int64_t total = 0;
  for (const auto& c : counts) {
    const std::int64_t n = c.value("count", std::int64_t{0});
    total += n;
    by_type[c.value("type", "")] = by_type.value(c.value("type", ""), std::int64_t{0}) + n;
    by_kind[c.value("kind", "")] = by_kind.value(c.value("kind", ""), std::int64_t{0}) + n;
  }
  return {{"total", total}, {"byType", by_type}, {"byKind", by_kind}};
}

Reply compute_drift(ServerState& s, const RequestContext& ctx, const ListQuery& q) {
  auto page = page_request(s, ctx, "drift:" + query_param(ctx, "kind") + ":" + query_param(ctx, "type") + ":" +
                                       query_param(ctx, "tenant"));
  if (auto* reply = std::get_if<Reply>(&page)) return *reply;
  const auto& req = std::get<PageRequest>(page);
  const std::string summary_sql =
      "SELECT jsonb_build_object('counts', COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', kind, 'type', type, "
      "'count', n)) FROM (SELECT kind, type, count(*) AS n FROM drift_items r WHERE " + q.where +
      " GROUP BY kind, type) x), '[]'::jsonb), 'detectedAt', (SELECT max(detected_at) FROM drift_items), "
      "'state', (SELECT jsonb_build_object('commit', commit, 'revision', revision, 'checkedAt', checked_at) "
      "FROM drift_state LIMIT 1))::text";
  auto summary = read_scalar(s.read_pool, summary_sql, q.args);
  if (!summary) return db_failure(summary.error());
  auto result = read_page(s.read_pool, q, req.limit, req.after);
  if (!result) return db_failure(result.error());
  for (auto& item : result->items) item = camel_keys(item);
  const Json parsed = Json::parse(summary->value_or("{}"));
  Reply reply = page_reply(s, ctx, req, std::move(*result));
  Json body = Json::parse(reply.body);
  body["summary"] = drift_summary(parsed.value("counts", Json::array()));
  body["summary"]["detectedAt"] = parsed.value("detectedAt", Json());
  // The commit and revision drift was last computed against, and when (DESIGN §4).
  const Json state = parsed.value("state", Json::object());
  body["summary"]["commit"] = state.is_object() ? state.value("commit", Json()) : Json();
  body["summary"]["revision"] = state.is_object() ? state.value("revision", Json()) : Json();
  body["summary"]["checkedAt"] = state.is_object() ? state.value("checkedAt", Json()) : Json();
  return json_reply(200, body, true);
}

Reply cached_reply(const CachedBody& cached) {
  Reply reply;
  reply.body = cached.body;
  reply.etag = true;
  reply.etag_value = cached.etag;
  return reply;
}

Reply get_drift(ServerState& s, const RequestContext& ctx) {
  if (auto bad = unknown_parameters(ctx, {"limit", "cursor", "kind", "tenant", "type"})) return *bad;
  auto query = drift_query(ctx);
  if (auto* reply = std::get_if<Reply>(&query)) {
    if (reply->error) return *reply;
    // A tenant token filtering on another tenant: an empty result, not an error.
    return json_reply(200, {{"data", Json::array()}, {"has_more", false}, {"next_cursor", nullptr},
                            {"summary", drift_summary(Json::array())}}, true);
  }
  // Pollers ask the same question over and over: answer from memory for a short TTL.
  std::string key = ctx.principal.scope() + "?";
  for (const auto& [name, value] : ctx.request.params) key += name + "=" + value + "&";
  std::uint64_t generation = 0;
  {
    std::unique_lock lock(s.drift_cache_mutex);
    auto [it, inserted] = s.drift_cache.try_emplace(key);
    if (!inserted && it->second.body.empty() && it->second.refreshing) {
      // Another request computes this key for the first time: wait for it rather than stampede.
      s.drift_cache_filled.wait_for(lock, std::chrono::seconds(2), [&] {
        auto found = s.drift_cache.find(key);
        return found == s.drift_cache.end() || !found->second.refreshing;
      });
      it = s.drift_cache.find(key);
      if (it == s.drift_cache.end()) it = s.drift_cache.try_emplace(key).first;
    }
    CachedBody& cached = it->second;
    const bool fresh = std::chrono::steady_clock::now() < cached.until;
    if (!cached.body.empty() && (fresh || cached.refreshing)) return cached_reply(cached);
    cached.refreshing = true;  // this request computes; others keep the stale copy (or wait for the first)
    generation = s.drift_cache_generation;
  }
  Reply reply = compute_drift(s, ctx, std::get<ListQuery>(query));
  std::lock_guard lock(s.drift_cache_mutex);
  auto it = s.drift_cache.find(key);
  if (s.drift_cache_generation != generation) {
    // The drift changed while this answer was read: it may predate the change, so it is returned
    // but not cached (the entry it was computed for was dropped with the rest).
    if (reply.status == 200 && !reply.error) reply.etag_value = strong_etag(reply.body);
  } else if (reply.status != 200 || reply.error) {
    if (it != s.drift_cache.end()) it->second.refreshing = false;
  } else {
    reply.etag_value = strong_etag(reply.body);
    if (s.drift_cache.size() >= k_drift_cache_max) s.drift_cache.clear();
    s.drift_cache[key] = CachedBody{reply.body, reply.etag_value,
                                    std::chrono::steady_clock::now() + s.config.drift_cache_ttl, false};
  }
  s.drift_cache_filled.notify_all();
  return reply;
}

// A sync run as a tenant token may see it: whole-run counts, errors and actors can describe
// other tenants' changes, so only the run's identity, timing and outcome remain.
Json visible_run(Json run, const Principal& principal) {
  if (principal.admin) return run;
  Json out = Json::object();
  for (const char* field : {"id", "number", "trigger", "commit", "status", "started_at", "finished_at", "duration_ms",
                            "revision", "plan"}) {
    if (run.contains(field)) out[field] = run[field];
  }
  return out;
}

Reply list_syncs(ServerState& s, const RequestContext& ctx) {
  if (auto bad = unknown_parameters(ctx, {"limit", "cursor"})) return *bad;
  auto page = page_request(s, ctx, "syncs");
  if (auto* reply = std::get_if<Reply>(&page)) return *reply;
  const auto& req = std::get<PageRequest>(page);
  ListQuery q{"sync_runs", "TRUE", {}, {{"number", "bigint"}}, true, {"plan"}, {}, {}};
  auto result = read_page(s.read_pool, q, req.limit, req.after);
  if (!result) return db_failure(result.error());
  for (auto& item : result->items) item = camel_keys(visible_run(std::move(item), ctx.principal));
  return page_reply(s, ctx, req, std::move(*result));
}

// A tenant token sees only its own tenant's changes in a plan.
Json visible_plan(const Json& plan, const Principal& principal) {
  if (principal.admin || !plan.is_object() || !plan.contains("changes") || !plan["changes"].is_array()) {
    return principal.admin ? plan : Json();
  }
  Json out = plan;
  Json changes = Json::array();
  for (const auto& change : plan["changes"]) {
    const Json key = change.value("key", Json::object());
    const std::string tenant = key.is_object() ? key.value("tenant", change.value("tenant", "")) : change.value("tenant", "");
    const std::string kind = key.is_object() ? key.value("kind", change.value("kind", "")) : change.value("kind", "");
    const std::string name = key.is_object() ? key.value("name", "") : change.value("name", "");
    if (tenant == principal.tenant || (kind == "Tenant" && name == principal.tenant)) changes.push_back(change);
  }
  out["changes"] = changes;
  out.erase("summary");  // whole-plan totals would reveal other tenants' activity
  return out;
}

Reply get_sync(ServerState& s, const RequestContext& ctx) {
  // A run is named by its id (a UUID) or its sequential number.
  const std::string& id = ctx.params[0];
  const bool numeric = !id.empty() && id.size() <= 18 &&
                       std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  auto row = read_one(s.read_pool, "sync_runs", numeric ? "number = $1::bigint" : "id = $1", {id});
  if (!row) return db_failure(row.error());
  if (!*row) return not_found("SyncRun", id);
  Json run = visible_run(**row, ctx.principal);
  if (run.contains("plan")) run["plan"] = visible_plan(run["plan"], ctx.principal);
  return json_reply(200, camel_keys(run), true);
}

// The audit log's timestamp column.
constexpr const char* k_audit_time = "occurred_at";

// The filters of /v1/audit as SQL over audit_log, and the cursor scope naming them; a Reply on
// bad input. A tenant token is confined to its tenant whatever it asks.
std::variant<std::pair<ListQuery, std::string>, Reply> audit_query(const RequestContext& ctx) {
  ListQuery q{"audit_log", "TRUE", {}, {{"seq", "bigint"}}, true, {}, {}, {}};
  std::string scope = "audit";
  const auto add = [&](const std::string& condition, const std::string& value) {
    q.args.push_back(value);
    const std::string n = "$" + std::to_string(q.args.size());
    std::string sql = condition;
    for (std::size_t at; (at = sql.find('?')) != std::string::npos;) sql.replace(at, 1, n);
    q.where += " AND " + sql;
    scope += "|" + condition + value;
  };
  for (const char* name : {"actor", "action"}) {
    const std::string value = query_param(ctx, name);
    if (value.size() > 200) return bad_parameter(name, "is too long");
    if (!value.empty()) add(std::string(name) + " = ?", value);
  }
  const std::string kind = query_param(ctx, "kind");
  if (!kind.empty() && !model::parse_kind(kind)) return bad_parameter("kind", "must be Tenant, Role, Workspace, Pipeline or ApiToken");
  if (!kind.empty()) add("kind = ?", kind);
  std::string tenant = query_param(ctx, "tenant");
  if (!tenant.empty() && !model::is_slug(tenant)) return bad_parameter("tenant", "must be a tenant name");
  if (!ctx.principal.admin) {
    if (!tenant.empty() && tenant != ctx.principal.tenant) q.where += " AND FALSE";  // another tenant: nothing
    tenant = ctx.principal.tenant;
  }
  // Rows about a Tenant itself carry its name with an empty tenant column.
  if (!tenant.empty()) add("(tenant = ? OR (kind = 'Tenant' AND tenant = '' AND name = ?))", tenant);
  for (const char* name : {"since", "until"}) {
    const std::string value = query_param(ctx, name);
    if (value.empty()) continue;
    const auto normalized = model::normalize_timestamp(value);
    if (!normalized) return bad_parameter(name, "must be an RFC 3339 timestamp such as 2026-01-15T10:00:00Z");
    add(std::string(k_audit_time) + (std::string_view(name) == "since" ? " >= ?::timestamptz" : " < ?::timestamptz"),
        *normalized);
  }
  return std::make_pair(std::move(q), std::move(scope));
}

Reply list_audit(ServerState& s, const RequestContext& ctx) {
  if (auto bad = unknown_parameters(ctx, {"limit", "cursor", "actor", "action", "kind", "tenant", "since", "until"})) {
    return *bad;
  }
  auto query = audit_query(ctx);
  if (auto* reply = std::get_if<Reply>(&query)) return *reply;
  auto& [q, scope] = std::get<0>(query);
  auto page = page_request(s, ctx, scope);
  if (auto* reply = std::get_if<Reply>(&page)) return *reply;
  const auto& req = std::get<PageRequest>(page);
  auto result = read_page(s.read_pool, q, req.limit, req.after);
  if (!result) return db_failure(result.error());
  for (auto& item : result->items) item = camel_keys(item);
  return page_reply(s, ctx, req, std::move(*result));
}

Reply health_reply(const ServerState& s) {
  const Health health = s.hooks.health ? s.hooks.health() : Health{};
  Json body = {{"status", health.live ? "ok" : "failing"}};
  if (!health.live) return error_reply(503, "NOT_LIVE", health.detail.empty() ? "the controller loop is not running" : health.detail);
  return json_reply(200, body);
}

Reply ready_reply(ServerState& s) {
  const Health health = s.hooks.health ? s.hooks.health() : Health{};
  auto ping = read_scalar(s.read_pool, "SELECT 'ok'", {});
  if (!ping) return error_reply(503, "NOT_READY", "the database is unreachable");
  if (!health.ready) return error_reply(503, "NOT_READY", health.detail.empty() ? "the controller is not ready" : health.detail);
  return json_reply(200, {{"status", "ready"}});
}

Reply status_reply(ServerState& s, const RequestContext& ctx) {
  const Health health = s.hooks.health ? s.hooks.health() : Health{};
  auto last = read_one(s.read_pool, "(SELECT * FROM sync_runs ORDER BY number DESC LIMIT 1)", "TRUE", {}, {"plan"});
  if (!last) return db_failure(last.error());
  auto revision = read_scalar(s.read_pool, "SELECT revision::text FROM state_revision LIMIT 1", {});
  if (!revision) return db_failure(revision.error());
  auto drift = read_scalar(s.read_pool,
                           "SELECT jsonb_build_object('commit', commit, 'revision', revision, 'checkedAt', checked_at, "
                           "'items', (SELECT count(*) FROM drift_items))::text FROM drift_state LIMIT 1",
                           {});
  if (!drift) return db_failure(drift.error());
  Json body = {{"controller",
                {{"live", health.live}, {"ready", health.ready}, {"leader", health.leader},
                 {"lastPassStatus", health.last_pass_status}, {"lastPassAt", health.last_pass_at}}},
               {"lastSync", *last ? camel_keys(visible_run(**last, ctx.principal)) : Json()},
               {"stateRevision", *revision ? Json(std::stoll(**revision)) : Json()},
               // Totals across tenants are for the operator; tenants ask /v1/drift.
               {"drift", *drift && ctx.principal.admin ? Json::parse(**drift) : Json()},
               {"trackedRef", s.config.tracked_ref},
               {"caller", ctx.principal.actor()}};
  return json_reply(200, body, true);
}

// The drift gauge straight from drift_items at scrape time, so it is right whichever replica
// is scraped and whether or not the controller feeds it; a database outage keeps the last values.
void refresh_drift_gauge(ServerState& s) {
  auto counts = read_scalar(s.read_pool,
                            "SELECT COALESCE(jsonb_agg(jsonb_build_array(kind, type, n)), '[]')::text FROM "
                            "(SELECT kind, type, count(*) AS n FROM drift_items GROUP BY kind, type) x",
                            {});
  if (!counts || !*counts) return;
  std::map<std::pair<std::string, std::string>, std::int64_t> gauge;
  for (const auto& row : Json::parse(**counts)) gauge[{row[0].get<std::string>(), row[1].get<std::string>()}] = row[2].get<std::int64_t>();
  s.metrics.set_drift_counts(gauge);
}

void add(ServerState& s, const char* method, const char* path, std::optional<Permission> perm, RouteHandler handler) {
  Route route;
  route.method = method;
  route.path = path;
  route.authenticated = perm.has_value();
  route.permission = perm;
  route.handler = std::move(handler);
  s.router.add(std::move(route));
}

}  // namespace

void add_ops_routes(ServerState& s) {
  add(s, "GET", "/v1/drift", Permission{"drift", "read"}, [&s](const RequestContext& c) { return get_drift(s, c); });
  add(s, "GET", "/v1/syncs", Permission{"syncs", "read"}, [&s](const RequestContext& c) { return list_syncs(s, c); });
  add(s, "GET", "/v1/syncs/{id}", Permission{"syncs", "read"}, [&s](const RequestContext& c) { return get_sync(s, c); });
  add(s, "GET", "/v1/audit", Permission{"audit", "read"}, [&s](const RequestContext& c) { return list_audit(s, c); });
  add(s, "GET", "/v1/status", Permission{"syncs", "read"}, [&s](const RequestContext& c) { return status_reply(s, c); });
  add(s, "GET", "/healthz", std::nullopt, [&s](const RequestContext&) { return health_reply(s); });
  add(s, "GET", "/readyz", std::nullopt, [&s](const RequestContext&) { return ready_reply(s); });
  add(s, "GET", "/metrics", std::nullopt, [&s](const RequestContext&) {
    refresh_drift_gauge(s);
    Reply reply;
    reply.body = s.metrics.render();
    reply.content_type = "text/plain; version=0.0.4";
    return reply;
  });
  add(s, "GET", "/v1/openapi.json", std::nullopt, [&s](const RequestContext&) {
    Reply reply;
    reply.body = s.openapi;
    reply.etag = true;
    return reply;
  });
}

}  // namespace plumb::api
