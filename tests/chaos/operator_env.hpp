#pragma once
// The world of a chaos test around `plumb run`: a fresh migrated database, a Git repository
// (the "remote", a local path) holding a synthetic config, and operator processes started on
// it, each with its own API port and Git cache. Queries of sync_runs the tests wait on.
#include <memory>
#include <string>
#include <vector>

#include "tests/chaos/chaos_support.hpp"
#include "tests/support/pg_harness.hpp"

namespace plumb::chaos {

// A `plumb run` replica and the port its API listens on.
struct Replica {
  std::unique_ptr<Process> process;
  int port = 0;
  std::string name;
};

class OperatorEnv {
 public:
  // `resources`: size of the config committed as the first revision (variant 0).
  OperatorEnv(const std::string& name, std::size_t resources)
      : tmp(name), repo(tmp.path() / "repo"), url(plumb::testing::fresh_database()), resources(resources) {
    sh("printf 0123456789abcdef0123456789abcdef > " + quote((tmp.path() / "token.key").string()));
    sh("printf '%s\\n' " + quote(admin) + " > " + quote((tmp.path() / "admin.token").string()));
    fs::create_directories(repo);
    write_config(repo, resources, 0);
    git_init(repo);
    if (run_plumb({"migrate"}, env()).code != 0) throw std::runtime_error("plumb migrate failed");
  }

  // PLUMB_DATABASE_URL and PLUMB_TOKEN_KEY_FILE for CLI commands.
  std::string env() const {
    return "PLUMB_DATABASE_URL=" + quote(url) +
           " PLUMB_TOKEN_KEY_FILE=" + quote((tmp.path() / "token.key").string());
  }

  // Starts `plumb run` (text logs, debug level off) polling every `interval`, on `database_url`
  // ("" = `url`; e.g. a proxy in front of it).
  Replica start(const std::string& name, const std::string& interval = "1s",
                const std::string& database_url = "") {
    Replica r;
    r.name = name;
    r.port = free_port();
    r.process = std::make_unique<Process>(
        std::vector<std::string>{"--log-format", "text", "run", "--repo", repo.string(), "--database-url",
                                 database_url.empty() ? url : database_url, "--listen",
                                 "127.0.0.1:" + std::to_string(r.port), "--admin-token-file",
                                 (tmp.path() / "admin.token").string(), "--token-key-file",
                                 (tmp.path() / "token.key").string(), "--cache-dir",
                                 (tmp.path() / ("cache-" + name)).string(), "--interval", interval},
        "", tmp.path() / (name + ".log"));
    return r;
  }

  std::string sql(const std::string& text) const { return query(url, text); }

  // Number of sync runs with `status` for `commit` ("" = any commit) numbered above `after`.
  std::int64_t runs(const std::string& status, const std::string& commit = "", std::int64_t after = 0) const {
    std::string q = "SELECT count(*) FROM plumb.sync_runs WHERE status = '" + status + "' AND number > " +
                    std::to_string(after);
    if (!commit.empty()) q += " AND commit = '" + commit + "'";
    return std::stoll(sql(q));
  }

  // The highest sync run number so far (0 if none).
  std::int64_t last_run() const {
    return std::stoll(sql("SELECT coalesce(max(number), 0) FROM plumb.sync_runs"));
  }

  // True once the database holds exactly what the repository's work tree declares.
  bool converged() const {
    return run_plumb({"plan", repo.string(), "--detailed-exitcode"}, env()).code == 0;
  }

  TempDir tmp;
  fs::path repo;
  std::string url;
  std::size_t resources;
  const std::string admin = "admin-0123456789abcdef0123456789abcdef";
};

}  // namespace plumb::chaos
