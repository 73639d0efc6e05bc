#include <algorithm>

#include "reconciler/store/internal.hpp"

namespace plumb::store {

namespace {

// Each query yields: tenant, workspace, name, spec json, labels, annotations, managed, deleted,
// source_file, source_commit. The spec is rebuilt in the canonical form of TEAM.md, with the
// defaults a row written out of band may have left NULL.
constexpr const char* k_common = "labels::text, annotations::text, coalesce(managed_by = 'plumb', false), ";
constexpr const char* k_provenance = "coalesce(source_file, ''), coalesce(source_commit, '')";

std::string query_for(model::Kind kind) {
  const std::string tail = std::string(k_common);
  switch (kind) {
    case model::Kind::tenant:
      return "SELECT '', '', name, jsonb_build_object('displayName', display_name, 'plan', plan, 'status', "
             "status, 'adminEmail', admin_email)::text, " +
             tail + "deleted_at IS NOT NULL, " + k_provenance + " FROM @schema@.tenants";
    case model::Kind::role:
      return "SELECT tenant, '', name, jsonb_build_object('description', coalesce(description, ''), "
             "'permissions', to_jsonb(coalesce(permissions, '{}')))::text, " +
             tail + "false, " + k_provenance + " FROM @schema@.roles";
    case model::Kind::workspace:
      return "SELECT tenant, '', name, jsonb_build_object('displayName', display_name, 'capabilities', "
             "to_jsonb(coalesce(capabilities, '{}')))::text, " +
             tail + "deleted_at IS NOT NULL, " + k_provenance + " FROM @schema@.workspaces";
    case model::Kind::pipeline:
      return "SELECT tenant, workspace, name, jsonb_build_object('description', coalesce(description, ''), "
             "'enabled', coalesce(enabled, true), 'source', source || jsonb_build_object('config', "
             "coalesce(source->'config', '{}')), 'integrations', coalesce(integrations, '[]'), "
             "'transformations', coalesce(transformations, '[]'))::text, " +
             tail + "false, " + k_provenance + " FROM @schema@.pipelines";
    case model::Kind::api_token:
      return "SELECT tenant, '', name, (jsonb_build_object('description', coalesce(description, ''), 'role', "
             "role, "
             "'rotation', coalesce(rotation, 0)) || CASE WHEN ttl IS NOT NULL THEN jsonb_build_object('ttl', "
             "ttl) "
             "WHEN expires_at IS NOT NULL THEN jsonb_build_object('expiresAt', @schema@.rfc3339(expires_at)) "
             "ELSE '{}'::jsonb END)::text, " +
             tail + "false, " + k_provenance + " FROM @schema@.api_tokens";
  }
  return {};
}

// Restricts query_for(kind) to the keys in $1, a JSON array of {t, w, n} objects.
std::string where_keys(model::Kind kind) {
  const std::string keys = " (SELECT k.t, k.w, k.n FROM jsonb_to_recordset($1::jsonb) AS k(t text, w text, n text))";
  if (!model::has_tenant(kind)) return " WHERE ('', '', name) IN" + keys;
  if (!model::has_workspace(kind)) return " WHERE (tenant, '', name) IN" + keys;
  return " WHERE (tenant, workspace, name) IN" + keys;
}

model::ActualResource row_to_resource(model::Kind kind, const pqxx::row& row) {
  model::ActualResource actual;
  model::Resource& r = actual.resource;
  r.key.kind = kind;
  r.key.tenant = row[0].c_str();
  r.key.workspace = row[1].c_str();
  r.key.name = row[2].c_str();
  r.spec = model::Json::parse(row[3].c_str());
  r.labels = model::Json::parse(row[4].c_str());
  r.annotations = model::Json::parse(row[5].c_str());
  actual.managed = row[6].as<bool>();
  actual.deleted = row[7].as<bool>();
  actual.source_file = row[8].c_str();
  actual.commit = row[9].c_str();
  return actual;
}

// A full read fetches rows through a cursor, this many at a time: the whole result of 50,000
// pipelines would otherwise sit in memory as text beside the resources built from it.
constexpr int k_fetch_rows = 5000;

// One REPEATABLE READ READ ONLY snapshot: the revision, then every row of each kind, or with
// `only` just the rows with those keys; sorted in C++ so the order is the byte order
// ResourceKey defines, whatever the collation.
model::ActualState read_snapshot(const Store::Impl& impl, const std::vector<model::ResourceKey>* only) {
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*impl.conn);
  model::ActualState state;
  state.revision = tx.exec(impl.q("SELECT revision FROM @schema@.state_revision"))[0][0].as<std::int64_t>();
  for (model::Kind kind : model::k_all_kinds) {
    if (!only) {
      tx.exec(impl.q("DECLARE plumb_actual NO SCROLL CURSOR FOR " + query_for(kind)));
      const std::string fetch = "FETCH " + std::to_string(k_fetch_rows) + " FROM plumb_actual";
      for (bool more = true; more;) {
        const pqxx::result batch = tx.exec(fetch);
        for (const auto& row : batch) state.resources.push_back(row_to_resource(kind, row));
        more = batch.size() == static_cast<pqxx::result::size_type>(k_fetch_rows);
      }
      tx.exec("CLOSE plumb_actual");
      continue;
    }
    model::Json wanted = model::Json::array();
    for (const auto& key : *only) {
      if (key.kind == kind) wanted.push_back({{"t", key.tenant}, {"w", key.workspace}, {"n", key.name}});
    }
    if (wanted.empty()) continue;
    const pqxx::result rows = tx.exec_params(impl.q(query_for(kind) + where_keys(kind)), wanted.dump());
    state.resources.reserve(state.resources.size() + rows.size());
    for (const auto& row : rows) state.resources.push_back(row_to_resource(kind, row));
  }
  tx.commit();
  std::sort(state.resources.begin(), state.resources.end(),
            [](const auto& a, const auto& b) { return a.resource.key < b.resource.key; });
  return state;
}

}  // namespace

Result<model::ActualState> Store::read_actual() {
  return detail::guarded("read the actual state",
                         [&]() -> Result<model::ActualState> { return read_snapshot(*m_impl, nullptr); });
}

Result<model::ActualState> Store::read_resources(const std::vector<model::ResourceKey>& keys) {
  return detail::guarded("read resources", [&]() -> Result<model::ActualState> { return read_snapshot(*m_impl, &keys); });
}

}  // namespace plumb::store
