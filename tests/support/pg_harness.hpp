#pragma once
// A private PostgreSQL 15 server for tests: one per test process, started lazily in a fresh
// temporary directory, reachable only on a Unix socket in that directory, and torn down when
// the process ends (even if it crashes: a watchdog process cleans up when our end of a pipe
// closes). Never skips: if PostgreSQL cannot be started, the call throws with the reason.
#include <string>
#include <vector>

namespace plumb::testing {

// Where the running server lives. Obtain with pg_server(); valid for the process lifetime.
struct PgServer {
  std::string bin_dir;     // /usr/lib/postgresql/15/bin (initdb, pg_ctl, postgres, pg_dump, psql)
  std::string root_dir;    // the temporary directory (data/, sock/, server.log)
  std::string socket_dir;  // Unix socket directory (libpq `host=`)
  int port = 0;            // names the socket file; no TCP listener

  // libpq connection string to database `dbname` as the superuser `postgres`.
  std::string url(const std::string& dbname) const;
};

// Starts the server on first use (initdb + pg_ctl start, as the `postgres` system user when
// running as root) and returns it. Throws std::runtime_error with the server log on failure.
const PgServer& pg_server();

// A brand-new empty database (CREATE DATABASE ... TEMPLATE template0) and its connection string.
// Each call returns a different database, so test cases never see each other's rows.
std::string fresh_database();

// Runs a PostgreSQL client program from the server's bin dir (e.g. "pg_dump", "psql") with
// `args` appended; returns its stdout. Throws std::runtime_error (with stderr) on non-zero exit.
std::string run_client(const std::string& program, const std::vector<std::string>& args);

// `pg_dump --no-owner` of the database at `url` as plain SQL text (schema and data).
std::string pg_dump(const std::string& url);

// `psql -X -v ON_ERROR_STOP=1 -At -c sql` against `url`; returns its output.
std::string psql(const std::string& url, const std::string& sql);

}  // namespace plumb::testing
