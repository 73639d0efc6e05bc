// plumb's command line: parses arguments (CLI11 lives only in this file) and dispatches to the
// run_* functions of commands.hpp. Every flag also reads an environment variable.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "reconciler/cli/commands.hpp"

namespace {

using namespace plumb::cli;

constexpr const char* k_footer =
    "Exit codes: 0 success (no changes, no drift), 1 error or refused, 2 changes or drift\n"
    "(plan --detailed-exitcode, drift), 64 bad command line.\n"
    "Docs: README.md and docs/ in the plumb repository.";

void add_input(CLI::App& cmd, InputOptions& input) {
  cmd.add_option("dir", input.dir, "Config directory holding the manifests (*.yaml, *.yml)")
      ->capture_default_str();
  cmd.add_option("--max-file-bytes", input.max_file_bytes, "Refuse manifest files larger than this")
      ->envname("PLUMB_MAX_FILE_BYTES")
      ->capture_default_str();
}

void add_database(CLI::App& cmd, DatabaseOptions& db, bool required) {
  auto* url = cmd.add_option("--database-url", db.url, "PostgreSQL connection string or URI")
                  ->envname("PLUMB_DATABASE_URL");
  if (required) url->required();
  cmd.add_option("--schema", db.schema, "Database schema plumb owns")->envname("PLUMB_SCHEMA")->capture_default_str();
  cmd.add_option("--token-key-file", db.token_key_file,
                 "File with the server key for token hashes (else PLUMB_TOKEN_KEY, else the key in the database)")
      ->envname("PLUMB_TOKEN_KEY_FILE");
}

void add_policy(CLI::App& cmd, std::vector<std::string>& policies, double& fraction) {
  cmd.add_option("--policy", policies,
                 "Management policy per kind, KIND=POLICY (full|create-only|no-delete|observe); repeatable")
      ->envname("PLUMB_POLICY");
  cmd.add_option("--max-delete-fraction", fraction,
                 "Refuse plans deleting more than this share of managed resources")
      ->envname("PLUMB_MAX_DELETE_FRACTION")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
}

void add_plan_options(CLI::App& cmd, PlanOptions& plan) {
  add_input(cmd, plan.input);
  add_database(cmd, plan.db, false);
  add_policy(cmd, plan.policies, plan.max_delete_fraction);
  cmd.add_flag("--allow-mass-delete", plan.allow_mass_delete, "Allow a plan that deletes many resources");
}

CLI::App* add_validate(CLI::App& app, ValidateOptions& o) {
  auto* cmd = app.add_subcommand("validate", "Check every manifest offline (schema and semantic rules)");
  cmd->description(
      "Check every manifest under DIR offline: YAML strictness, schema, references, plan limits.\n"
      "Nothing is executed or fetched. Exit 0 if valid, 1 if not.");
  add_input(*cmd, o.input);
  cmd->add_option("--repo", o.input.repo, "Validate a Git repository (path or URL) instead of DIR")
      ->envname("PLUMB_REPO");
  cmd->add_option("--ref", o.input.ref, "Branch, tag or commit with --repo")->envname("PLUMB_REF");
  cmd->add_option("--path", o.input.path, "Subdirectory of the repository with the manifests")->envname("PLUMB_PATH");
  cmd->add_option("--format", o.format, "Output: text, json (for tools) or github (CI annotations)")
      ->check(CLI::IsMember({"text", "json", "github"}))
      ->capture_default_str();
  return cmd;
}

CLI::App* add_plan(CLI::App& app, PlanOptions& o) {
  auto* cmd = app.add_subcommand("plan", "Show what apply would change");
  cmd->description(
      "Compute the changes that would make the database match DIR (with --database-url), or what\n"
      "DIR changes against a Git ref (with --base, offline). Exit 0 ok; with --detailed-exitcode\n"
      "0 no changes, 2 changes; 1 error.");
  add_plan_options(*cmd, o);
  cmd->add_option("--base", o.base, "Offline: plan DIR against this Git ref of the enclosing repository");
  cmd->add_option("--format", o.format, "Output: text, json or markdown (PR comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--out", o.out, "Also save the plan (JSON) to this file for `plumb apply --plan`");
  cmd->add_flag("--detailed-exitcode", o.detailed_exitcode, "Exit 2 when there are changes");
  return cmd;
}

CLI::App* add_apply(CLI::App& app, ApplyOptions& o) {
  auto* cmd = app.add_subcommand("apply", "Apply a fresh or saved plan in one transaction");
  cmd->description(
      "Apply the plan for DIR (or a saved --plan FILE) in one transaction with its audit rows.\n"
      "A saved plan is refused if the database changed since it was made. Asks for confirmation\n"
      "on a terminal unless --auto-approve. Exit 0 applied or nothing to do, 1 error or refused.");
  add_plan_options(*cmd, o.plan);
  cmd->add_option("--plan", o.plan_file, "Saved plan (from plan --out) to apply");
  cmd->add_flag("--auto-approve", o.auto_approve, "Do not ask for confirmation")->envname("PLUMB_AUTO_APPROVE");
  return cmd;
}

CLI::App* add_drift(CLI::App& app, DriftOptions& o) {
  auto* cmd = app.add_subcommand("drift", "Report differences between Git and the database");
  cmd->description(
      "Report missing, modified (with field paths), unmanaged and orphaned resources.\n"
      "Exit 0 no drift, 2 drift, 1 error.");
  add_input(*cmd, o.input);
  add_database(*cmd, o.db, true);
  cmd->add_option("--format", o.format, "Output: text, json or markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  return cmd;
}

CLI::App* add_run(CLI::App& app, RunOptions& o) {
  auto* cmd = app.add_subcommand("run", "Run the operator: reconcile a Git ref continuously and serve the API");
  cmd->add_option("--repo", o.repo, "Repository: local path, file://, https:// or ssh:// URL")
      ->envname("PLUMB_REPO")
      ->required();
  cmd->add_option("--ref", o.ref, "Branch, tag or commit to track")->envname("PLUMB_REF")->capture_default_str();
  cmd->add_option("--path", o.path, "Subdirectory with the manifests")->envname("PLUMB_PATH");
  add_database(*cmd, o.db, true);
  cmd->add_option("--read-database-url", o.read_database_url, "Read replica for the API")
      ->envname("PLUMB_READ_DATABASE_URL");
  cmd->add_option("--listen", o.listen, "API address HOST:PORT")->envname("PLUMB_LISTEN")->capture_default_str();
  cmd->add_option("--interval", o.interval, "Time between passes (Go duration)")
      ->envname("PLUMB_INTERVAL")
      ->capture_default_str();
  cmd->add_flag("--self-heal", o.self_heal, "Revert out-of-band changes (drift) on the next pass")
      ->envname("PLUMB_SELF_HEAL");
  cmd->add_option("--admin-token-file", o.admin_token_file, "File with the operator admin API token")
      ->envname("PLUMB_ADMIN_TOKEN_FILE");
  cmd->add_option("--webhook-secret-file", o.webhook_secret_file, "File with the Git webhook secret")
      ->envname("PLUMB_WEBHOOK_SECRET_FILE");
  cmd->add_option("--git-token-file", o.git_token_file, "File with an https access token")
      ->envname("PLUMB_GIT_TOKEN_FILE");
  cmd->add_option("--git-ssh-key-file", o.git_ssh_key_file, "File with an ssh private key")
      ->envname("PLUMB_GIT_SSH_KEY_FILE");
  cmd->add_option("--git-known-hosts-file", o.git_known_hosts_file, "known_hosts for ssh (always checked)")
      ->envname("PLUMB_GIT_KNOWN_HOSTS_FILE");
  cmd->add_option("--cache-dir", o.cache_dir, "Where Git clones are cached")
      ->envname("PLUMB_CACHE_DIR")
      ->capture_default_str();
  cmd->add_option("--rate-limit", o.rate_limit_per_minute, "API requests per token per minute")
      ->envname("PLUMB_RATE_LIMIT")
      ->capture_default_str();
  add_policy(*cmd, o.policies, o.max_delete_fraction);
  return cmd;
}

CLI::App* add_dev(CLI::App& app, DevOptions& o) {
  auto* cmd = app.add_subcommand("dev", "Newcomer mode: private PostgreSQL, reconcile examples/, serve the API");
  cmd->description(
      "Start a private PostgreSQL under ./.plumb/, migrate it, reconcile DIR (default examples/),\n"
      "serve the REST API, and print an admin token and curl lines to try. Ctrl-C stops it all.");
  cmd->add_option("--port", o.port, "API port on 127.0.0.1")->envname("PLUMB_DEV_PORT")->capture_default_str();
  cmd->add_option("--dir", o.dir, "Config directory to reconcile")->capture_default_str();
  cmd->add_option("--state-dir", o.state_dir, "Where the private database lives")->capture_default_str();
  cmd->add_flag("--once", o.once, "Reconcile once, print the plan and the next steps, stop the database");
  return cmd;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plumb: GitOps for a data platform's control plane (tenants, workspaces, pipelines, roles, tokens)"};
  app.footer(k_footer);
  app.require_subcommand(1);
  app.set_version_flag("--version", "plumb 0.1.0");

  GlobalOptions global;
  app.add_option("--log-format", global.log_format, "Logs on stderr: auto (text on a TTY, else json), text, json")
      ->envname("PLUMB_LOG_FORMAT")
      ->check(CLI::IsMember({"auto", "text", "json"}));
  app.add_option("--log-level", global.log_level, "debug, info, warn, error")
      ->envname("PLUMB_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_flag("--no-color", global.no_color, "Never colour output")->envname("NO_COLOR");

  ValidateOptions validate;
  PlanOptions plan;
  ApplyOptions apply;
  DriftOptions drift;
  MigrateOptions migrate;
  AuditVerifyOptions audit;
  TokenRevealOptions token;
  RunOptions run;
  DevOptions dev;

  auto* validate_cmd = add_validate(app, validate);
  auto* plan_cmd = add_plan(app, plan);
  auto* apply_cmd = add_apply(app, apply);
  auto* drift_cmd = add_drift(app, drift);

  auto* migrate_cmd = app.add_subcommand("migrate", "Create or upgrade the database schema (idempotent)");
  add_database(*migrate_cmd, migrate.db, true);

  auto* audit_cmd = app.add_subcommand("audit", "Audit trail commands");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Check the audit hash chain; names the first broken row");
  add_database(*verify_cmd, audit.db, true);
  verify_cmd->add_option("--format", audit.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  auto* token_cmd = app.add_subcommand("token", "API token commands");
  token_cmd->require_subcommand(1);
  auto* reveal_cmd = token_cmd->add_subcommand("reveal", "Print a freshly minted or rotated token's secret, once");
  reveal_cmd->add_option("tenant", token.tenant, "Tenant of the token")->required();
  reveal_cmd->add_option("name", token.name, "Name of the token")->required();
  add_database(*reveal_cmd, token.db, true);

  auto* run_cmd = add_run(app, run);
  auto* dev_cmd = add_dev(app, dev);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_usage;
  }

  if (validate_cmd->parsed()) return run_validate(global, validate);
  if (plan_cmd->parsed()) return run_plan(global, plan);
  if (apply_cmd->parsed()) return run_apply(global, apply);
  if (drift_cmd->parsed()) return run_drift(global, drift);
  if (migrate_cmd->parsed()) return run_migrate(global, migrate);
  if (verify_cmd->parsed()) return run_audit_verify(global, audit);
  if (reveal_cmd->parsed()) return run_token_reveal(global, token);
  if (run_cmd->parsed()) return run_operator(global, run);
  if (dev_cmd->parsed()) return run_dev(global, dev);
  std::cerr << app.help() << '\n';
  return k_exit_usage;
}
