#include "reconciler/cli/local_postgres.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "reconciler/cli/process.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::cli {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t k_max_socket_path = 100;  // sun_path is 108 bytes with ".s.PGSQL.5432"

std::string bin(const std::string& name) {
  std::string dir = postgres_bin_dir();
  return dir.empty() ? name : dir + "/" + name;
}

bool chown_to(const fs::path& path, const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  return pw != nullptr && ::chown(path.c_str(), pw->pw_uid, pw->pw_gid) == 0;
}

// As root, the server runs as `postgres`: it must be able to reach the state directory. A home
// folder with mode 0700 would stop it, so fall back to a folder under /tmp named for this one.
fs::path usable_state_dir(const fs::path& wanted, const std::string& user) {
  if (user.empty()) return wanted;
  fs::create_directories(wanted);
  ProcessResult probe = run_process({"test", "-x", fs::absolute(wanted).string()}, true, user);
  if (probe.exit_code == 0) return wanted;
  return fs::temp_directory_path() / ("plumb-dev-" + crypto::sha256_hex(fs::absolute(wanted).string()).substr(0, 12));
}

Result<void> ensure_dir(const fs::path& dir, const std::string& user, fs::perms perms) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorKind::terminal, "DEV_STATE_DIR", "cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, perms, ec);
  if (!user.empty() && !chown_to(dir, user)) {
    return make_error(ErrorKind::terminal, "DEV_STATE_DIR", "cannot hand " + dir.string() + " to user " + user);
  }
  return {};
}

}  // namespace

std::string postgres_bin_dir() {
  if (const char* env = std::getenv("PLUMB_PG_BINDIR"); env != nullptr && *env != '\0') return env;
  for (int version = 17; version >= 13; --version) {
    fs::path dir = "/usr/lib/postgresql/" + std::to_string(version) + "/bin";
    if (fs::exists(dir / "pg_ctl")) return dir.string();
  }
  return "";
}

LocalPostgres::LocalPostgres(fs::path data_dir, fs::path socket_dir, std::string user)
    : m_data_dir(std::move(data_dir)), m_socket_dir(std::move(socket_dir)), m_user(std::move(user)) {}

LocalPostgres::LocalPostgres(LocalPostgres&& other) noexcept
    : m_data_dir(std::move(other.m_data_dir)),
      m_socket_dir(std::move(other.m_socket_dir)),
      m_user(std::move(other.m_user)),
      m_running(other.m_running) {
  other.m_running = false;
}

LocalPostgres::~LocalPostgres() { stop(); }

std::string LocalPostgres::connection_string() const {
  return "host=" + m_socket_dir.string() + " port=5432 user=postgres dbname=postgres application_name=plumb";
}

Result<LocalPostgres> LocalPostgres::start(const fs::path& state_dir, const Progress& progress) {
  std::string user = ::geteuid() == 0 ? "postgres" : "";
  if (!user.empty() && ::getpwnam(user.c_str()) == nullptr) {
    return make_error(ErrorKind::terminal, "DEV_NO_POSTGRES_USER",
                      "running as root, but there is no 'postgres' user to run the database as: "
                      "install postgresql-15 (scripts/install-deps.sh) or run plumb dev as a normal user");
  }
  if (bin("pg_ctl") == "pg_ctl" && run_process({"pg_ctl", "--version"}).exit_code != 0) {
    return make_error(ErrorKind::terminal, "DEV_NO_POSTGRES",
                      "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/install-deps.sh");
  }
  fs::path root = fs::absolute(usable_state_dir(state_dir, user));
  if (root != fs::absolute(state_dir) && progress) progress("state directory not reachable by 'postgres'; using " + root.string());
  fs::path data = root / "pgdata";
  fs::path sockets = root / "run";
  if (sockets.string().size() > k_max_socket_path) {
    sockets = fs::temp_directory_path() / ("plumb-sock-" + crypto::sha256_hex(root.string()).substr(0, 12));
  }
  if (auto ok = ensure_dir(root, user, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = ensure_dir(sockets, user, fs::perms::owner_all); !ok) return tl::unexpected(ok.error());

  LocalPostgres server(data, sockets, user);
  if (!fs::exists(data / "PG_VERSION")) {
    if (progress) progress("initialising a private PostgreSQL in " + data.string());
    if (auto ok = ensure_dir(data, user, fs::perms::owner_all); !ok) return tl::unexpected(ok.error());
    ProcessResult init = run_process(
        {bin("initdb"), "-D", data.string(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"},
        true, user);
    if (init.exit_code != 0) {
      return make_error(ErrorKind::terminal, "DEV_INITDB_FAILED", "initdb failed:\n" + init.output);
    }
  }
  ProcessResult status = run_process({bin("pg_ctl"), "-D", data.string(), "status"}, true, user);
  if (status.exit_code != 0) {
    if (progress) progress("starting PostgreSQL (socket in " + sockets.string() + ")");
    std::string opts = "-k " + sockets.string() + " -c listen_addresses='' -p 5432";
    ProcessResult started = run_process(
        {bin("pg_ctl"), "-D", data.string(), "-l", (root / "postgres.log").string(), "-o", opts, "-w", "-t", "30", "start"},
        true, user);
    if (started.exit_code != 0) {
      std::ifstream log(root / "postgres.log");
      std::string tail((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
      if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
      return make_error(ErrorKind::terminal, "DEV_POSTGRES_START_FAILED",
                        "PostgreSQL did not start:\n" + started.output + tail);
    }
  }
  server.m_running = true;
  return server;
}

void LocalPostgres::stop() {
  if (!m_running) return;
  m_running = false;
  run_process({bin("pg_ctl"), "-D", m_data_dir.string(), "-m", "fast", "-w", "stop"}, true, m_user);
}

}  // namespace plumb::cli
