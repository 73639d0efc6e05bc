#include "tests/api/db_support.hpp"

#include "reconciler/cli/local_postgres.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace plumb::api::testing {

namespace {

// One private PostgreSQL server per test process, stopped at exit.
struct PrivateServer {
  std::filesystem::path dir;
  std::optional<cli::LocalPostgres> pg;

  PrivateServer() {
    char pattern[] = "/tmp/plumb-api-test-XXXXXX";
    dir = ::mkdtemp(pattern);
    auto started = cli::LocalPostgres::start(dir, nullptr);
    if (!started) throw std::runtime_error("private PostgreSQL did not start: " + started.error().message);
    pg.emplace(std::move(*started));
  }
  ~PrivateServer() {
    if (pg) pg->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// "dbname=postgres" in a libpq key/value string replaced by `name`.
std::string with_database(std::string conn, const std::string& name) {
  const auto at = conn.find("dbname=postgres");
  if (at != std::string::npos) return conn.replace(at, 15, "dbname=" + name);
  return conn + " dbname=" + name;
}

}  // namespace

std::string fresh_api_database() {
  static PrivateServer server;
  static std::atomic<int> counter{0};
  const std::string name = "api_" + std::to_string(counter++);
  {
    pqxx::connection admin(server.pg->connection_string());
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
  }
  const std::string url = with_database(server.pg->connection_string(), name);
  std::ifstream in(std::string(PLUMB_SOURCE_DIR) + "/tests/api/fixture_schema.sql");
  std::stringstream sql;
  sql << in.rdbuf();
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec(sql.str());
  return url;
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
  tx.exec_params("INSERT INTO plumb.audit_log (actor, action, kind, tenant, name, details, prev_hash, hash) VALUES ($1, "
                 "$2, $3, $4, $4, '{}', '', '')",
                 actor, action, kind, tenant);
}

}  // namespace plumb::api::testing
