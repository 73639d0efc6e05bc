// plumb run: the operator (DESIGN §4): controller + API, until SIGTERM.
#include <spdlog/spdlog.h>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/database.hpp"
#include "reconciler/cli/inputs.hpp"
#include "reconciler/cli/operator_runtime.hpp"
#include "reconciler/cli/signals.hpp"
#include "reconciler/cli/terminal.hpp"
#include "reconciler/model/values.hpp"
#include "reconciler/source/git_source.hpp"

namespace plumb::cli {
namespace {

bool read_optional_secret(const std::string& path, std::string& out, std::string& error) {
  return path.empty() || read_secret_file(path, out, error);
}

// A full ref name for webhook matching: branches are pushed as refs/heads/<name>.
std::string tracked_ref(const std::string& ref) {
  return ref.rfind("refs/", 0) == 0 ? ref : "refs/heads/" + ref;
}

}  // namespace

int run_operator(const GlobalOptions& global, const RunOptions& options) {
  block_shutdown_signals();
  setup_logging(global);
  auto interval = model::parse_duration(options.interval);
  if (!interval) return fail("--interval '" + options.interval + "' is not a duration (e.g. 60s, 5m)");
  auto policy = policy_from_flags(options.policies, options.max_delete_fraction, false);
  if (!policy) return fail(policy.error().message);
  auto store_opts = store_options(options.db);
  if (!store_opts) return fail(store_opts.error().message);

  RuntimeConfig config;
  config.database_url = options.db.url;
  config.store = *store_opts;
  std::string error;
  if (!read_optional_secret(options.admin_token_file, config.api.admin_token, error) ||
      !read_optional_secret(options.webhook_secret_file, config.api.webhook_secret, error)) {
    return fail(error);
  }
  if (!parse_listen(options.listen, config.api.host, config.api.port)) {
    return fail("--listen '" + options.listen + "' is not HOST:PORT");
  }

  // Migrations run on start too, under the store's advisory lock, so replicas do not race.
  auto migrated = store::migrate(options.db.url, *store_opts);
  if (!migrated) return fail(migrated.error().message + " (database " + redact_url(options.db.url) + ")");

  source::GitSourceOptions git;
  git.repo = options.repo;
  git.ref = options.ref;
  git.path = options.path;
  git.cache_dir = options.cache_dir;
  git.credentials.token_file = options.git_token_file;
  git.credentials.ssh_key_file = options.git_ssh_key_file;
  git.credentials.known_hosts_file = options.git_known_hosts_file;
  auto source = source::GitSource::open(git);
  if (!source) return fail(source.error().message);

  config.controller.interval = std::chrono::milliseconds(*interval * 1000);
  config.controller.self_heal = options.self_heal;
  config.controller.policy = *policy;
  config.api.database_url = options.db.url;
  config.api.read_database_url = options.read_database_url;
  config.api.schema = options.db.schema;
  config.api.tracked_ref = tracked_ref(options.ref);
  config.api.token_key = store_opts->token_key;
  config.api.server_key = derived_key(store_opts->token_key, "cursor");
  config.api.rate_limit_per_minute = static_cast<std::size_t>(std::max(1, options.rate_limit_per_minute));
  if (config.api.admin_token.empty()) spdlog::warn("no --admin-token-file: only plumb ApiTokens can call the API");
  return serve(std::move(config), std::move(*source));
}

}  // namespace plumb::cli
