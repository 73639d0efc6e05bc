#include "reconciler/store/apply_sql.hpp"

#include <vector>

namespace plumb::store::detail {

namespace {

using model::Json;
using model::Kind;

struct Column {
  std::string name;
  std::string type;    // in the recordset definition
  std::string select;  // expression over `r` producing the column value
};

std::vector<std::string> key_columns(Kind kind) {
  switch (kind) {
    case Kind::tenant:
      return {"name"};
    case Kind::pipeline:
      return {"tenant", "workspace", "name"};
    default:
      return {"tenant", "name"};
  }
}

std::string table_of(Kind kind) {
  switch (kind) {
    case Kind::tenant:
      return "@schema@.tenants";
    case Kind::role:
      return "@schema@.roles";
    case Kind::workspace:
      return "@schema@.workspaces";
    case Kind::pipeline:
      return "@schema@.pipelines";
    case Kind::api_token:
      return "@schema@.api_tokens";
  }
  return {};
}

Column plain(const std::string& name, const std::string& type) {
  return {name, type, "r." + name};
}
Column text_array(const std::string& name) {
  return {name, "jsonb", "ARRAY(SELECT jsonb_array_elements_text(r." + name + "))"};
}

std::vector<Column> spec_columns(Kind kind) {
  switch (kind) {
    case Kind::tenant:
      return {plain("display_name", "text"), plain("plan", "text"), plain("status", "text"),
              plain("admin_email", "text")};
    case Kind::role:
      return {plain("description", "text"), text_array("permissions")};
    case Kind::workspace:
      return {plain("display_name", "text"), text_array("capabilities")};
    case Kind::pipeline:
      return {plain("description", "text"), plain("enabled", "boolean"), plain("source", "jsonb"),
              plain("integrations", "jsonb"), plain("transformations", "jsonb")};
    case Kind::api_token:
      return {plain("description", "text"),
              plain("role", "text"),
              plain("rotation", "integer"),
              plain("ttl", "text"),
              // Effective expiry by the database clock: now() + ttl, or the spec's timestamp.
              {"expires_at", "text",
               "CASE WHEN r.ttl_seconds IS NOT NULL THEN now() + make_interval(secs => r.ttl_seconds) "
               "ELSE r.expires_at::timestamptz END"},
              {"secret_hash", "text", "r.secret_hash"},
              {"pending_secret", "text", "decode(r.pending_secret, 'hex')"},
              {"minted_at", "boolean", "CASE WHEN r.minted_at THEN now() END"}};
  }
  return {};
}

// Token columns whose update is not a plain copy: a secret changes only when re-minted, and a
// ttl expiry stays anchored at the existing mint time.
std::string token_assignment(const std::string& column) {
  if (column == "secret_hash") return "secret_hash = COALESCE(EXCLUDED.secret_hash, t.secret_hash)";
  if (column == "pending_secret") {
    return "pending_secret = CASE WHEN EXCLUDED.secret_hash IS NOT NULL THEN EXCLUDED.pending_secret "
           "ELSE t.pending_secret END, revealed_at = CASE WHEN EXCLUDED.secret_hash IS NOT NULL THEN NULL "
           "ELSE t.revealed_at END";
  }
  if (column == "minted_at") return "minted_at = COALESCE(EXCLUDED.minted_at, t.minted_at)";
  if (column == "expires_at") {
    return "expires_at = CASE WHEN EXCLUDED.ttl IS NOT NULL AND EXCLUDED.secret_hash IS NULL AND t.minted_at "
           "IS NOT "
           "NULL THEN t.minted_at + (EXCLUDED.expires_at - now()) ELSE EXCLUDED.expires_at END";
  }
  return column + " = EXCLUDED." + column;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string recordset(Kind kind, const std::vector<Column>& extra) {
  std::vector<std::string> defs;
  for (const auto& k : key_columns(kind)) defs.push_back(k + " text");
  for (const auto& c : extra) defs.push_back(c.name + " " + c.type);
  if (kind == Kind::api_token) defs.push_back("ttl_seconds bigint");
  return "jsonb_to_recordset($1::jsonb) AS r(" + join(defs, ", ") + ")";
}

}  // namespace

std::string upsert_sql(Kind kind) {
  std::vector<Column> columns = spec_columns(kind);
  for (const char* name : {"source_file", "source_commit", "spec_hash"})
    columns.push_back(plain(name, "text"));
  columns.push_back(plain("labels", "jsonb"));
  columns.push_back(plain("annotations", "jsonb"));
  std::vector<std::string> names = key_columns(kind), selects, sets;
  for (const auto& k : key_columns(kind)) selects.push_back("r." + k);
  for (const auto& c : columns) {
    names.push_back(c.name);
    selects.push_back(c.select);
    sets.push_back(kind == Kind::api_token ? token_assignment(c.name) : c.name + " = EXCLUDED." + c.name);
  }
  names.push_back("managed_by");
  selects.push_back("'plumb'");
  sets.push_back("managed_by = 'plumb'");
  sets.push_back("updated_at = now()");
  if (kind == Kind::tenant || kind == Kind::workspace) sets.push_back("deleted_at = NULL");
  return "INSERT INTO " + table_of(kind) + " AS t (" + join(names, ", ") + ") SELECT " + join(selects, ", ") +
         " FROM " + recordset(kind, columns) + " ON CONFLICT (" + join(key_columns(kind), ", ") +
         ") DO UPDATE SET " + join(sets, ", ");
}

std::string delete_sql(Kind kind) {
  std::vector<std::string> match;
  for (const auto& k : key_columns(kind)) match.push_back("t." + k + " = r." + k);
  const std::string keys_rs =
      "jsonb_to_recordset($1::jsonb) AS r(" + join(key_columns(kind), " text, ") + " text)";
  if (kind == Kind::tenant || kind == Kind::workspace) {
    return "UPDATE " + table_of(kind) + " AS t SET deleted_at = now(), updated_at = now() FROM " + keys_rs +
           " WHERE " + join(match, " AND ");
  }
  return "DELETE FROM " + table_of(kind) + " AS t USING " + keys_rs + " WHERE " + join(match, " AND ");
}

Json key_row(const model::ResourceKey& key) {
  Json row = {{"name", key.name}};
  if (key.kind != Kind::tenant) row["tenant"] = key.tenant;
  if (key.kind == Kind::pipeline) row["workspace"] = key.workspace;
  return row;
}

namespace {

void add_spec_fields(Kind kind, const Json& spec, Json& row) {
  auto text = [&](const char* field, const char* fallback) {
    return spec.value(field, std::string(fallback));
  };
  switch (kind) {
    case Kind::tenant:
      row["display_name"] = text("displayName", "");
      row["plan"] = text("plan", "");
      row["status"] = text("status", "active");
      row["admin_email"] = text("adminEmail", "");
      break;
    case Kind::role:
      row["description"] = text("description", "");
      row["permissions"] = spec.value("permissions", Json::array());
      break;
    case Kind::workspace:
      row["display_name"] = text("displayName", "");
      row["capabilities"] = spec.value("capabilities", Json::array());
      break;
    case Kind::pipeline:
      row["description"] = text("description", "");
      row["enabled"] = spec.value("enabled", true);
      row["source"] = spec.value("source", Json::object());
      row["integrations"] = spec.value("integrations", Json::array());
      row["transformations"] = spec.value("transformations", Json::array());
      break;
    case Kind::api_token:
      row["description"] = text("description", "");
      row["role"] = text("role", "");
      row["rotation"] = spec.value("rotation", 0);
      if (spec.contains("ttl")) row["ttl"] = spec["ttl"];
      if (spec.contains("expiresAt")) row["expires_at"] = spec["expiresAt"];
      break;
  }
}

}  // namespace

Json upsert_row(const plan::Change& change, const std::string& commit) {
  const model::Resource& desired = *change.desired;
  Json row = key_row(desired.key);
  add_spec_fields(desired.key.kind, desired.spec, row);
  row["labels"] = desired.labels;
  row["annotations"] = desired.annotations;
  row["source_file"] = desired.source.file;
  row["source_commit"] = commit;
  row["spec_hash"] = spec_hash(desired);
  return row;
}

std::string audit_action(const plan::Change& change) {
  const std::string slug(model::kind_slug(change.key.kind));
  switch (change.action) {
    case plan::Action::create:
      return slug + ".create";
    case plan::Action::update:
      return slug + (change.rotate_secret && change.key.kind == Kind::api_token ? ".rotate" : ".update");
    case plan::Action::remove:
      return slug + ".delete";
  }
  return slug;
}

namespace {

Json field_changes(const std::vector<plan::FieldChange>& fields) {
  Json out = Json::array();
  for (const auto& f : fields) {
    Json item = {{"path", f.path}};
    if (f.before) item["before"] = *f.before;
    if (f.after) item["after"] = *f.after;
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Json audit_diff(const plan::Change& change) {
  Json diff = {{"before", change.actual ? change.actual->body() : Json()},
               {"after", change.desired ? change.desired->body() : Json()},
               {"reason", change.reason}};
  if (!change.fields.empty()) diff["fields"] = field_changes(change.fields);
  if (change.rotate_secret) diff["secretRotated"] = true;  // the secret itself is never recorded
  return diff;
}

Json compact_plan(const plan::Plan& plan) {
  Json changes = Json::array();
  for (const auto& c : plan.changes) {
    changes.push_back({{"action", std::string(1, static_cast<char>(c.action))},
                       {"kind", std::string(model::kind_name(c.key.kind))},
                       {"tenant", c.key.tenant},
                       {"workspace", c.key.workspace},
                       {"name", c.key.name},
                       {"reason", c.reason},
                       {"fields", field_changes(c.fields)}});
  }
  return {{"formatVersion", plan::Plan::k_format_version},
          {"commit", plan.commit},
          {"actualRevision", plan.actual_revision},
          {"summary",
           {{"create", plan.summary.create},
            {"update", plan.summary.update},
            {"delete", plan.summary.remove},
            {"unchanged", plan.summary.unchanged},
            {"skipped", plan.summary.skipped}}},
          {"changes", std::move(changes)}};
}

}  // namespace plumb::store::detail
