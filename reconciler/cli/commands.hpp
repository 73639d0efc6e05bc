#pragma once
#include <optional>
#include <string>
#include <vector>

namespace plumb::cli {

// Exit codes shared by every command (DESIGN §4). Scripts depend on them: add, never change.
inline constexpr int k_exit_ok = 0;          // success; no changes / no drift
inline constexpr int k_exit_error = 1;       // invalid input, refused, failed
inline constexpr int k_exit_changes = 2;     // plan --detailed-exitcode: changes; drift: drift found
inline constexpr int k_exit_usage = 64;      // bad command line (EX_USAGE)

// Options every command shares.
struct GlobalOptions {
  std::string log_format = "auto";  // auto | text | json
  std::string log_level = "info";
  bool no_color = false;
};

// Where manifests come from for validate/plan/apply/drift.
struct InputOptions {
  std::string dir = ".";
  std::string repo;  // validate --repo URL (Git) instead of a directory
  std::string ref;   // with --repo
  std::string path;  // subdirectory inside the repo
  std::size_t max_file_bytes = 1u << 20;
};

struct DatabaseOptions {
  std::string url;
  std::string schema = "plumb";
  std::string token_key_file;  // key for token hashes/sealing; else PLUMB_TOKEN_KEY or the database's own
};

struct ValidateOptions {
  InputOptions input;
  std::string format = "text";  // text | json | github
};

struct PlanOptions {
  InputOptions input;
  DatabaseOptions db;
  std::string base;             // offline plan against this Git ref instead of a database
  std::string format = "text";  // text | json | markdown
  std::string out;              // also save the JSON plan here
  bool detailed_exitcode = false;
  std::vector<std::string> policies;  // KIND=POLICY
  double max_delete_fraction = 0.25;
  bool allow_mass_delete = false;
};

struct ApplyOptions {
  PlanOptions plan;
  std::string plan_file;  // apply this saved plan instead of planning afresh
  bool auto_approve = false;
};

struct DriftOptions {
  InputOptions input;
  DatabaseOptions db;
  std::string format = "text";  // text | json | markdown
};

struct MigrateOptions {
  DatabaseOptions db;
};

struct AuditVerifyOptions {
  DatabaseOptions db;
  std::string format = "text";  // text | json
};

struct TokenRevealOptions {
  DatabaseOptions db;
  std::string tenant;
  std::string name;
};

struct RunOptions {
  std::string repo;
  std::string ref = "main";
  std::string path;
  DatabaseOptions db;
  std::string read_database_url;
  std::string listen = "0.0.0.0:8080";
  std::string interval = "60s";
  bool self_heal = false;
  std::string admin_token_file;
  std::string webhook_secret_file;
  std::string git_token_file;
  std::string git_ssh_key_file;
  std::string git_known_hosts_file;
  std::string cache_dir = "/var/cache/plumb";
  std::vector<std::string> policies;
  double max_delete_fraction = 0.25;
  int rate_limit_per_minute = 100;
};

struct DevOptions {
  int port = 8080;
  std::string dir = "examples";
  std::string state_dir = ".plumb";
  bool once = false;  // reconcile, print, stop (no API): for scripts and tests
};

int run_validate(const GlobalOptions& global, const ValidateOptions& options);
int run_plan(const GlobalOptions& global, const PlanOptions& options);
int run_apply(const GlobalOptions& global, const ApplyOptions& options);
int run_drift(const GlobalOptions& global, const DriftOptions& options);
int run_migrate(const GlobalOptions& global, const MigrateOptions& options);
int run_audit_verify(const GlobalOptions& global, const AuditVerifyOptions& options);
int run_token_reveal(const GlobalOptions& global, const TokenRevealOptions& options);
int run_operator(const GlobalOptions& global, const RunOptions& options);
int run_dev(const GlobalOptions& global, const DevOptions& options);

}  // namespace plumb::cli
