#pragma once
// Shared tools of the chaos suite: real `plumb` processes (run to completion, or started in the
// background to be killed, stopped and resumed), a synthetic config generator, Git repositories
// driven by the git CLI, and a fingerprint of the managed state for old/new comparisons.
// Every database comes from tests/support/pg_harness (a private PostgreSQL per test binary).
// PLUMB_CHAOS_BINARY (optional) names the plumb binary to drive instead of the one built here.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace plumb::chaos {

namespace fs = std::filesystem;

// The outcome of a `plumb` command run to completion.
struct Run {
  int code = -1;    // exit code; -1 if it did not exit normally
  std::string out;  // stdout and stderr together
};

// Shell-quotes `s` for /bin/sh.
std::string quote(const std::string& s);

// Runs `cmd` with /bin/sh; throws std::runtime_error with the command if it exits non-zero.
void sh(const std::string& cmd);

// Runs the plumb binary with `args` and `env` ("K=V ..." prefix), stdin /dev/null, waits.
Run run_plumb(const std::vector<std::string>& args, const std::string& env = "");

// A plumb process in the background, its stdout+stderr in `log`. Killed (SIGKILL) and reaped
// on destruction if still running.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::string& env, fs::path log);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return m_pid; }
  // Sends `signal`; false if the process is gone.
  bool signal(int signal) const;
  // True while the process has not exited (reaps it if it has).
  bool running();
  // Waits for the exit and returns its status as from waitpid.
  int wait();
  // SIGTERM then wait; returns the exit code (-1 if it died of a signal).
  int stop();
  std::string output() const;
  // The last `bytes` of the log (for failure messages).
  std::string tail(std::size_t bytes = 6000) const;
  // True once `needle` occurs in the log at or after byte `from`; polls up to `timeout`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout, std::size_t from = 0) const;

 private:
  pid_t m_pid = -1;
  fs::path m_log;
  bool m_reaped = false;
};

// A fresh scratch directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

// Writes a synthetic config of about `resources` resources under `dir` (one file per tenant;
// each tenant has 2 roles, 1 token, 4 workspaces, 5 pipelines per workspace = 28 resources).
// `variant` 0 and 1 differ in every pipeline's description and every token's description, and
// in the first workspace of each tenant pipeline pipe-0 (variant 0) becomes pipe-5 (variant 1).
// Returns the number of resources written. Removes the previous tenants/ folder first.
std::size_t write_config(const fs::path& dir, std::size_t resources, int variant);

// How many plan changes separate variant 0 from variant 1 for a config of `resources`.
std::size_t variant_changes(std::size_t resources);

// `git init` of `dir` (branch main) and a first commit of everything in it.
void git_init(const fs::path& dir);
// `git add -A && git commit` in `dir`; returns the new commit id.
std::string git_commit(const fs::path& dir, const std::string& message);

// Per-table row counts and a digest of every row's key, spec columns and spec_hash (not the
// timestamps, provenance or token secrets): equal fingerprints = equal managed state.
struct Fingerprint {
  std::string digest;                // all tables
  std::vector<std::int64_t> counts;  // tenants, roles, workspaces, pipelines, api_tokens (live rows)
  bool operator==(const Fingerprint&) const = default;
};
Fingerprint fingerprint(const std::string& url);
std::string describe(const Fingerprint& f);

// psql -At of `sql` against `url`, without the trailing newline.
std::string query(const std::string& url, const std::string& sql);

// Number of rows in plumb.audit_log.
std::int64_t audit_rows(const std::string& url);

// Sessions of plumb processes (application_name plumb*) other than idle ones: `where` adds a
// condition, e.g. "state = 'idle in transaction'". Returns their count.
std::int64_t plumb_sessions(const std::string& url, const std::string& where = "true");

// Advisory locks held by any session.
std::int64_t advisory_locks(const std::string& url);

// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last answer.
bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done);

// A TCP port on 127.0.0.1 nobody listens on right now.
int free_port();

// GET http://127.0.0.1:port/path with an optional bearer token; {status, body}; status 0 if no
// answer within 5 s.
std::pair<int, std::string> http_get(int port, const std::string& path, const std::string& token = "");

// POST http://127.0.0.1:port/path with an empty JSON object; {status, body} as http_get.
std::pair<int, std::string> http_post(int port, const std::string& path, const std::string& token);

// The scale of the SIGKILL test: PLUMB_CHAOS_SCALE if set, else `fallback`.
std::size_t chaos_scale(std::size_t fallback);

}  // namespace plumb::chaos
