#pragma once
#include "reconciler/cli/commands.hpp"
#include "reconciler/store/store.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::cli {

// StoreOptions from the command line: the schema, and the token key from --token-key-file,
// else PLUMB_TOKEN_KEY (the key itself), else "" (the key `plumb migrate` keeps in the database).
Result<store::StoreOptions> store_options(const DatabaseOptions& db);

// Store::open with the options above; errors name the database URL without its password.
// `read_only` (plan, drift, audit verify) loads no token key, so the read-only role of
// pull-request CI needs neither the key nor access to server_secrets.
Result<store::Store> open_store(const DatabaseOptions& db, bool read_only = false);

// `url` with any password replaced by "***", for messages and logs.
std::string redact_url(const std::string& url);

// "user@host" of whoever runs the command, for the audit trail of CLI applies.
std::string cli_actor();

}  // namespace plumb::cli
