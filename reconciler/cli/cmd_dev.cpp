// plumb dev: the embedded default for newcomers (DESIGN §4). A private PostgreSQL under
// ./.plumb/, the schema, examples/ planned and applied, then the operator and the API on
// 127.0.0.1 reconciling the folder every few seconds, until Ctrl-C.
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include <spdlog/spdlog.h>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/inputs.hpp"
#include "reconciler/cli/local_postgres.hpp"
#include "reconciler/cli/operator_runtime.hpp"
#include "reconciler/cli/planning.hpp"
#include "reconciler/cli/signals.hpp"
#include "reconciler/cli/terminal.hpp"
#include "reconciler/load/render_diagnostics.hpp"
#include "reconciler/plan/render.hpp"
#include "reconciler/source/directory.hpp"
#include "reconciler/source/directory_source.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"

namespace plumb::cli {
namespace fs = std::filesystem;
namespace {

// Reads `path`, or creates it (mode 0600) with `make()` on first use.
bool secret_in_file(const fs::path& path, const std::function<std::string()>& make, std::string& out) {
  std::string error;
  if (fs::exists(path)) return read_secret_file(path.string(), out, error);
  out = make();
  if (!write_file_atomically(path.string(), out + "\n").empty()) return false;
  ::chmod(path.c_str(), 0600);
  return true;
}

int apply_once(const DevOptions& options, const std::string& url, const store::StoreOptions& store_opts,
               bool colour) {
  InputOptions input;
  input.dir = options.dir;
  auto loaded = load_input(input);
  if (!loaded) return fail(loaded.error().message);
  if (loaded->result.diagnostics.has_errors()) {
    std::cerr << load::render_diagnostics_text(loaded->result.diagnostics, colour);
    return fail(options.dir + " does not validate: fix the errors above");
  }
  auto store = store::Store::open(url, store_opts);
  if (!store) return fail(store.error().message);
  auto actual = store->read_actual();
  if (!actual) return fail(actual.error().message);
  plan::Plan plan = plan::make_plan(loaded->result.desired, *actual, {});
  std::cout << plan::render_plan_text(plan, colour);
  if (plan.empty()) return k_exit_ok;
  if (!plan.applyable()) return fail("the plan cannot be applied");
  store::ApplyOptions apply;
  apply.actor = "plumb dev";
  apply.actor_type = "cli";
  apply.trigger = "cli";
  auto applied = store->apply(plan, apply);
  if (!applied) return fail(applied.error().message);
  std::cout << "\nApplied: " << applied->created << " created, " << applied->updated << " updated, "
            << applied->deleted << " deleted in " << applied->duration_ms << " ms.\n";
  return k_exit_ok;
}

void print_welcome(int port, const std::string& admin_file, const std::string& url, const std::string& dir) {
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::string auth = "-H \"Authorization: Bearer $(cat " + admin_file + ")\"";
  std::cout << "\nplumb dev is up: reconciling " << dir << "/ every 5 s, API on " << base << "\n"
            << "  admin token: " << admin_file << "\n"
            << "  database:    psql '" << url << "'\n\n"
            << "Try:\n"
            << "  curl -s " << auth << " " << base << "/v1/tenants\n"
            << "  curl -s " << auth << " " << base << "/v1/tenants/acme-corp/workspaces/analytics/pipelines\n"
            << "  curl -s " << auth << " " << base << "/v1/drift\n"
            << "  curl -s " << auth << " " << base << "/v1/syncs\n"
            << "  curl -s " << auth << " '" << base << "/v1/audit?tenant=acme-corp&limit=5'\n"
            << "  curl -s " << auth << " -X POST -d '' " << base
            << "/v1/tenants/acme-corp/tokens/grafana-dashboards/reveal   # once only\n"
            << "  psql '" << url << "' -c \"update plumb.tenants set plan='growth' where name='initech'\"  # drift\n\n"
            << "Edit a file under " << dir << "/ and watch the next pass apply it. Ctrl-C stops everything.\n"
            << std::flush;
}

}  // namespace

int run_dev(const GlobalOptions& global, const DevOptions& options) {
  block_shutdown_signals();
  setup_logging(global);
  bool colour = use_colour(global);
  auto progress = [](const std::string& what) { std::cout << "==> " << what << "\n" << std::flush; };
  auto pg = LocalPostgres::start(options.state_dir, progress);
  if (!pg) return fail(pg.error().message);
  std::string url = pg->connection_string();

  fs::path state = fs::absolute(options.state_dir);
  store::StoreOptions store_opts;
  std::string key_hex, admin_token;
  if (!secret_in_file(state / "token.key", [] { return crypto::to_hex(crypto::random_bytes(32)); }, key_hex) ||
      !secret_in_file(state / "admin.token", [] { return token_format::generate(); }, admin_token)) {
    return fail("cannot create the keys in " + state.string());
  }
  store_opts.token_key = key_hex;

  progress("creating the schema");
  auto migrated = store::migrate(url, store_opts);
  if (!migrated) return fail(migrated.error().message);
  progress("planning " + options.dir + "/ against the database");
  if (int code = apply_once(options, url, store_opts, colour); code != k_exit_ok) return code;
  if (options.once) {
    std::cout << "\nDone (--once). The database stays in " << pg->data_dir().string() << ".\n"
              << "Inspect it: psql '" << url << "'\n";
    return k_exit_ok;
  }

  RuntimeConfig config;
  config.database_url = url;
  config.store = store_opts;
  config.controller.interval = std::chrono::seconds(5);
  config.controller.self_heal = false;
  config.api.host = "127.0.0.1";
  config.api.port = options.port;
  config.api.database_url = url;
  config.api.admin_token = admin_token;
  config.api.token_key = key_hex;
  config.api.server_key = derived_key(key_hex, "cursor");
  std::string admin_file = (state / "admin.token").string();
  config.on_ready = [&](int port) { print_welcome(port, admin_file, url, options.dir); };
  auto source = std::make_unique<source::DirectorySource>(options.dir, load::LoadLimits{},
                                                          source::display_prefix_for(options.dir));
  return serve(std::move(config), std::move(source));
}

}  // namespace plumb::cli
