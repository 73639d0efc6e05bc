#include "tests/api/db_support.hpp"

#include "tests/support/pg_harness.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace plumb::api::testing {

std::string fresh_api_database() {
  const std::string url = plumb::testing::fresh_database();
  // The store's migrations, applied as `plumb migrate` would (schema `plumb`).
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(PLUMB_SOURCE_DIR) + "/schemas/db")) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE SCHEMA IF NOT EXISTS plumb");
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream sql;
    sql << in.rdbuf();
    std::string text = sql.str();
    for (std::size_t at; (at = text.find("@schema@")) != std::string::npos;) text.replace(at, 8, "plumb");
    tx.exec(text);
  }
  return url;
}

void seeding(pqxx::work& tx) {
  // As the store's apply does: rows written under a sync run are not audited as out-of-band.
  tx.exec("SET LOCAL plumb.sync_run = 'api-test-seed'");
}

void insert_tenant(pqxx::work& tx, const std::string& name) {
  tx.exec_params("INSERT INTO plumb.tenants (name, display_name, plan, status, admin_email) VALUES ($1, $1 || ' Inc', "
                 "'growth', 'active', 'admin@' || $1 || '.example.com')",
                 name);
}

void insert_workspace(pqxx::work& tx, const std::string& tenant, const std::string& name) {
  tx.exec_params("INSERT INTO plumb.workspaces (tenant, name, display_name) VALUES ($1, $2, $2)", tenant, name);
}

void insert_pipeline(pqxx::work& tx, const std::string& tenant, const std::string& workspace, const std::string& name) {
  tx.exec_params("INSERT INTO plumb.pipelines (tenant, workspace, name, description, enabled, source, integrations, "
                 "transformations) VALUES ($1, $2, $3, '', true, '{\"type\":\"http\",\"config\":{}}', '[]', '[]')",
                 tenant, workspace, name);
}

void insert_role(pqxx::work& tx, const std::string& tenant, const std::string& name,
                 const std::vector<std::string>& permissions) {
  std::string array = "{";
  for (std::size_t i = 0; i < permissions.size(); ++i) array += (i ? ",\"" : "\"") + permissions[i] + "\"";
  array += "}";
  tx.exec_params("INSERT INTO plumb.roles (tenant, name, description, permissions) VALUES ($1, $2, '', $3::text[])",
                 tenant, name, array);
}

void insert_token(pqxx::work& tx, const std::string& tenant, const std::string& name, const std::string& role,
                  const std::string& secret_hash, const std::string& expires_at) {
  tx.exec_params("INSERT INTO plumb.api_tokens (tenant, name, description, role, expires_at, rotation, secret_hash) "
                 "VALUES ($1, $2, '', $3, NULLIF($4, '')::timestamptz, 0, $5)",
                 tenant, name, role, expires_at, secret_hash);
}

void insert_drift(pqxx::work& tx, const std::string& kind, const std::string& tenant, const std::string& workspace,
                  const std::string& name, const std::string& type) {
  tx.exec_params("INSERT INTO plumb.drift_items (kind, tenant, workspace, name, type, fields) VALUES ($1, $2, $3, $4, $5, "
                 "'[]')",
                 kind, tenant, workspace, name, type);
}

void insert_sync(pqxx::work& tx, const std::string& status) {
  tx.exec_params("INSERT INTO plumb.sync_runs (trigger, commit, status, plan, started_at, finished_at) VALUES ('api', "
                 "'abc', $1, '{\"changes\":[]}', now(), now())",
                 status);
}

void insert_audit(pqxx::work& tx, const std::string& actor, const std::string& action, const std::string& kind,
                  const std::string& tenant) {
  tx.exec_params("INSERT INTO plumb.audit_log (actor, actor_type, action, kind, tenant, name, prev_hash, hash) "
                 "VALUES ($1, 'cli', $2, $3, $4, $4, '', '')",
                 actor, action, kind, tenant);
}

}  // namespace plumb::api::testing
