#pragma once
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace plumb::api::testing {

// A fresh, migrated, empty plumb database; returns its connection URL.
std::string fresh_api_database();

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
