#include <algorithm>
#include <set>
#include <string>

#include "embedded/plumb_store_sql.hpp"
#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::store {

namespace {

// Advisory lock class for migrations (the second key is the schema's hash), so replicas
// starting together do not race.
constexpr int k_migrate_lock_class = 0x706d;

// "schemas/db/0001_init.sql" -> 1; -1 if the name does not start with digits.
int version_of(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  int version = 0;
  std::size_t i = 0;
  for (; i < base.size() && base[i] >= '0' && base[i] <= '9'; ++i) version = version * 10 + (base[i] - '0');
  return i == 0 ? -1 : version;
}

std::set<int> applied_versions(pqxx::connection& conn, const std::string& schema) {
  pqxx::work tx(conn);
  tx.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
  tx.exec("CREATE TABLE IF NOT EXISTS " + schema +
          ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
          "applied_at timestamptz NOT NULL DEFAULT now())");
  std::set<int> versions;
  for (const auto& row : tx.exec("SELECT version FROM " + schema + ".schema_migrations")) {
    versions.insert(row[0].as<int>());
  }
  tx.commit();
  return versions;
}

void ensure_token_key(pqxx::connection& conn, const std::string& schema) {
  pqxx::work tx(conn);
  tx.exec_params("INSERT INTO " + schema +
                     ".server_secrets (name, value) VALUES ('token_key', decode($1, 'hex')) "
                     "ON CONFLICT (name) DO NOTHING",
                 crypto::to_hex(crypto::random_bytes(32)));
  tx.commit();
}

}  // namespace

Result<int> migrate(const std::string& url, const StoreOptions& options) {
  if (!is_valid_schema_name(options.schema)) {
    return make_error(
        ErrorKind::terminal, "INVALID_SCHEMA",
        "schema name '" + options.schema + "' is not a plain identifier ([a-z_][a-z0-9_]*, at most 63)");
  }
  return detail::guarded("migrate", [&]() -> Result<int> {
    auto conn = detail::connect(url, options.application_name);
    {
      pqxx::nontransaction tx(*conn);
      tx.exec_params("SELECT pg_advisory_lock($1, hashtext($2))", k_migrate_lock_class, options.schema);
    }
    const std::set<int> done = applied_versions(*conn, options.schema);
    std::vector<plumb::EmbeddedFile> files(embedded::files().begin(), embedded::files().end());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    int applied = 0;
    for (const auto& file : files) {
      const int version = version_of(file.path);
      if (version < 0 || done.count(version)) continue;
      pqxx::work tx(*conn);
      tx.exec(detail::with_schema(file.content, options.schema));
      tx.exec_params("INSERT INTO " + options.schema + ".schema_migrations (version, name) VALUES ($1, $2)",
                     version, std::string(file.path));
      tx.commit();
      ++applied;
    }
    if (options.token_key.empty()) ensure_token_key(*conn, options.schema);
    // The session lock is released with the connection, also when a migration throws.
    return applied;
  });
}

}  // namespace plumb::store
