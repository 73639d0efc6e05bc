// Database administration commands: migrate, audit verify, token reveal (DESIGN §4).
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/database.hpp"
#include "reconciler/cli/terminal.hpp"

namespace plumb::cli {

int run_migrate(const GlobalOptions& global, const MigrateOptions& options) {
  setup_logging(global);
  auto store_opts = store_options(options.db);
  if (!store_opts) return fail(store_opts.error().message);
  auto applied = store::migrate(options.db.url, *store_opts);
  if (!applied) return fail(applied.error().message + " (database " + redact_url(options.db.url) + ")");
  if (*applied == 0) {
    std::cout << "Schema '" << options.db.schema << "' is up to date.\n";
  } else {
    std::cout << "Applied " << *applied << " migration(s) to schema '" << options.db.schema << "'.\n";
  }
  if (store_opts->token_key.empty()) {
    spdlog::warn("no token key given (--token-key-file / PLUMB_TOKEN_KEY): token hashes use the key stored in the "
                 "database, which a database dump also contains; prefer a key file kept apart from backups");
  }
  return k_exit_ok;
}

int run_audit_verify(const GlobalOptions& global, const AuditVerifyOptions& options) {
  setup_logging(global);
  auto store = open_store(options.db, /*read_only=*/true);
  if (!store) return fail(store.error().message);
  auto result = store->verify_audit();
  if (!result) return fail(result.error().message);
  if (options.format == "json") {
    nlohmann::json doc = {{"ok", result->ok}, {"checked", result->checked}, {"reason", result->reason}};
    doc["first_bad_seq"] = result->first_bad ? nlohmann::json(*result->first_bad) : nlohmann::json(nullptr);
    std::cout << doc.dump(2) << '\n';
  } else if (result->ok) {
    std::cout << "Audit chain intact: " << result->checked << " row(s) verified.\n";
  } else {
    std::cout << "Audit chain BROKEN at seq " << result->first_bad.value_or(0) << ": " << result->reason << " ("
              << result->checked << " row(s) checked before it).\n";
  }
  return result->ok ? k_exit_ok : k_exit_error;
}

int run_token_reveal(const GlobalOptions& global, const TokenRevealOptions& options) {
  setup_logging(global);
  auto store = open_store(options.db);
  if (!store) return fail(store.error().message);
  auto secret = store->reveal_token(options.tenant, options.name, cli_actor(), "", "cli");
  if (!secret) {
    if (secret.error().code == "TOKEN_ALREADY_REVEALED") {
      return fail("the secret of " + options.tenant + "/" + options.name +
                  " was already revealed once and is not kept: bump spec.rotation in Git to mint a new one");
    }
    return fail(secret.error().message);
  }
  // The plaintext goes to stdout only, alone on its line, so it can be piped into a secret store.
  std::cout << *secret << '\n';
  if (stderr_is_tty()) {
    std::cerr << "This is the only time this secret is shown. Store it now.\n";
  }
  return k_exit_ok;
}

}  // namespace plumb::cli
