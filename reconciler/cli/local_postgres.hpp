#pragma once
#include <filesystem>
#include <functional>
#include <string>

#include "reconciler/util/error.hpp"

namespace plumb::cli {

// A private PostgreSQL server for `plumb dev`: data under `state_dir/pgdata`, reachable only on
// a Unix socket in `state_dir/run` (no TCP port, so it never clashes with a real server).
// Created with the distribution's initdb on first use and reused afterwards. When running as
// root the server runs as the unprivileged `postgres` user (initdb refuses root).
class LocalPostgres {
 public:
  using Progress = std::function<void(const std::string&)>;

  // Starts (initialising if needed) the server; fails with a message saying what to install or fix.
  static Result<LocalPostgres> start(const std::filesystem::path& state_dir, const Progress& progress);

  LocalPostgres(LocalPostgres&& other) noexcept;
  LocalPostgres& operator=(LocalPostgres&&) = delete;
  LocalPostgres(const LocalPostgres&) = delete;
  ~LocalPostgres();

  // libpq connection string to the `postgres` database as the `postgres` superuser.
  std::string connection_string() const;
  const std::filesystem::path& data_dir() const { return m_data_dir; }

  // Stops the server (fast shutdown); safe to call twice.
  void stop();

 private:
  LocalPostgres(std::filesystem::path data_dir, std::filesystem::path socket_dir, std::string user);
  std::filesystem::path m_data_dir;
  std::filesystem::path m_socket_dir;
  std::string m_user;  // run pg_ctl as this user ("" = ourselves)
  bool m_running = false;
};

// Directory of the PostgreSQL server binaries (initdb, pg_ctl): PLUMB_PG_BINDIR, else the
// newest /usr/lib/postgresql/<N>/bin, else "" (then PATH is used).
std::string postgres_bin_dir();

}  // namespace plumb::cli
