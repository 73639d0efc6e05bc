#pragma once
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace plumb::api::testing {

// A fresh database on the harness's private server with the store's migrations applied
// (schema `plumb`); returns its connection URL.
std::string fresh_api_database();

// Marks `tx` as written by a sync run, so the managed tables' triggers do not audit the seed
// rows as out-of-band edits.
void seeding(pqxx::work& tx);

// Plain SQL inserts of rows as the store writes them (tests populate the database directly).
void insert_tenant(pqxx::work& tx, const std::string& name);
void insert_workspace(pqxx::work& tx, const std::string& tenant, const std::string& name);
void insert_pipeline(pqxx::work& tx, const std::string& tenant, const std::string& workspace, const std::string& name);
void insert_role(pqxx::work& tx, const std::string& tenant, const std::string& name, const std::vector<std::string>& permissions);
void insert_token(pqxx::work& tx, const std::string& tenant, const std::string& name, const std::string& role,
                  const std::string& secret_hash, const std::string& expires_at);
void insert_drift(pqxx::work& tx, const std::string& kind, const std::string& tenant, const std::string& workspace,
                  const std::string& name, const std::string& type);
void insert_sync(pqxx::work& tx, const std::string& status);
void insert_audit(pqxx::work& tx, const std::string& actor, const std::string& action, const std::string& kind,
                  const std::string& tenant);

}  // namespace plumb::api::testing
