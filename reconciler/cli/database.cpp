#include "reconciler/cli/database.hpp"

#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "reconciler/cli/terminal.hpp"

namespace plumb::cli {

std::string redact_url(const std::string& url) {
  static const std::regex k_uri_password(R"(^([a-z]+://[^:/@]*:)[^@]*@)");
  static const std::regex k_kv_password(R"(password\s*=\s*('[^']*'|\S+))");
  std::string out = std::regex_replace(url, k_uri_password, "$1***@");
  return std::regex_replace(out, k_kv_password, "password=***");
}

std::string cli_actor() {
  const char* user = std::getenv("USER");
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return std::string(user != nullptr && *user != '\0' ? user : "unknown") + "@" + host;
}

Result<store::StoreOptions> store_options(const DatabaseOptions& db) {
  store::StoreOptions options;
  options.schema = db.schema;
  if (!store::is_valid_schema_name(db.schema)) {
    return make_error(ErrorKind::terminal, "BAD_SCHEMA",
                      "--schema '" + db.schema + "' must be a lower-case identifier (letters, digits, _)");
  }
  if (!db.token_key_file.empty()) {
    std::string error;
    if (!read_secret_file(db.token_key_file, options.token_key, error)) {
      return make_error(ErrorKind::terminal, "BAD_TOKEN_KEY", "token key: " + error);
    }
  } else if (const char* key = std::getenv("PLUMB_TOKEN_KEY"); key != nullptr && *key != '\0') {
    options.token_key = key;
  }
  return options;
}

Result<store::Store> open_store(const DatabaseOptions& db, bool read_only) {
  if (db.url.empty()) {
    return make_error(ErrorKind::terminal, "NO_DATABASE", "no database: pass --database-url or set PLUMB_DATABASE_URL");
  }
  auto options = store_options(db);
  if (!options) return tl::unexpected(options.error());
  options->read_only = read_only;
  auto store = store::Store::open(db.url, *options);
  if (!store) {
    Error e = store.error();
    e.message = e.message + " (database " + redact_url(db.url) + ")";
    if (e.code == "NOT_MIGRATED") e.message += ": run `plumb migrate` first";
    return tl::unexpected(e);
  }
  return store;
}

}  // namespace plumb::cli
