#include <regex>

#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::store::detail {

namespace {

ErrorKind kind_of_sqlstate(const std::string& state) {
  if (state == "40001" || state == "40P01") return ErrorKind::conflict;
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "55P03" || state == "53300" ||
      state == "57014") {
    return ErrorKind::transient;
  }
  return ErrorKind::terminal;
}

std::string code_of_sqlstate(const std::string& state) {
  if (state == "40001") return "DB_SERIALIZATION_FAILURE";
  if (state == "40P01") return "DB_DEADLOCK";
  if (state == "55P03") return "DB_LOCK_TIMEOUT";
  if (state == "3F000" || state == "42P01") return "NOT_MIGRATED";
  if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state == "53300") return "DB_UNAVAILABLE";
  return "DB_ERROR";
}

}  // namespace

Error translate(const std::exception& error, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (const auto* broken = dynamic_cast<const pqxx::broken_connection*>(&error)) {
    return Error{ErrorKind::transient, "DB_UNAVAILABLE",
                 prefix + "cannot reach PostgreSQL: " + broken->what()};
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&error)) {
    return Error{ErrorKind::transient, "DB_IN_DOUBT",
                 prefix + "the connection broke while committing; the outcome is unknown: " + error.what()};
  }
  // libpqxx 6.4 throws these for SQLSTATE 40001 / 40P01 and, unlike 7.x, not as sql_error.
  if (dynamic_cast<const pqxx::serialization_failure*>(&error)) {
    return Error{ErrorKind::conflict, "DB_SERIALIZATION_FAILURE",
                 prefix + error.what() + " (SQLSTATE 40001)"};
  }
  if (dynamic_cast<const pqxx::deadlock_detected*>(&error)) {
    return Error{ErrorKind::conflict, "DB_DEADLOCK", prefix + error.what() + " (SQLSTATE 40P01)"};
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
    const std::string state = sql->sqlstate();
    std::string message = sql->what();
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    const std::string code = code_of_sqlstate(state);
    const std::string hint = code == "NOT_MIGRATED" ? " (is the schema created? run plumb migrate)" : "";
    return Error{kind_of_sqlstate(state), code, prefix + message + " (SQLSTATE " + state + ")" + hint};
  }
  return Error{ErrorKind::terminal, "DB_ERROR", prefix + error.what()};
}

std::string with_schema(std::string_view sql, const std::string& schema) {
  static constexpr std::string_view k_marker = "@schema@";
  std::string out;
  out.reserve(sql.size());
  std::size_t at = 0;
  while (true) {
    const std::size_t found = sql.find(k_marker, at);
    if (found == std::string_view::npos) break;
    out.append(sql.substr(at, found - at)).append(schema);
    at = found + k_marker.size();
  }
  out.append(sql.substr(at));
  return out;
}

Error read_only_refusal(const std::string& what) {
  return Error{ErrorKind::terminal, "READ_ONLY_STORE",
               "cannot " + what + ": the database was opened read-only (no token key loaded)"};
}

TokenKeys derive_token_keys(const std::string& token_key) {
  // Separate keys per purpose, so the hash key never doubles as an encryption key.
  return TokenKeys{crypto::hmac_sha256_raw(token_key, "plumb token hash v1"),
                   crypto::hmac_sha256_raw(token_key, "plumb token seal v1")};
}

std::unique_ptr<pqxx::connection> connect(const std::string& url, const std::string& application_name) {
  auto conn = std::make_unique<pqxx::connection>(url);
  pqxx::nontransaction tx(*conn);
  tx.exec_params("SELECT set_config('application_name', $1, false)", application_name);
  return conn;
}

std::string spec_hash(const model::Resource& resource) {
  return crypto::sha256_hex(resource.canonical());
}

}  // namespace plumb::store::detail

namespace plumb::store {

bool is_valid_schema_name(const std::string& schema) {
  static const std::regex k_identifier("^[a-z_][a-z0-9_]{0,62}$");
  return std::regex_match(schema, k_identifier);
}

}  // namespace plumb::store
