#include "tests/support/pg_harness.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace plumb::testing {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string quote_for_sh(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Spawned {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs argv with stdout/stderr captured in files under `scratch`; waits for it.
Spawned spawn_and_wait(const std::vector<std::string>& argv, const fs::path& scratch) {
  static std::atomic<int> counter{0};
  const int n = counter++;
  const fs::path out_path =
      scratch / ("cmd-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".out");
  const fs::path err_path =
      scratch / ("cmd-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".err");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  Spawned result;
  if (rc != 0) {
    result.err = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  fs::remove(out_path);
  fs::remove(err_path);
  return result;
}

std::string find_bin_dir() {
  if (const char* env = std::getenv("PLUMB_PG_BINDIR")) return env;
  return "/usr/lib/postgresql/15/bin";
}

// The server, its cleanup watchdog, and the counter for fresh database names.
class Harness {
 public:
  Harness() { start(); }
  ~Harness() { shutdown(); }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  const PgServer& server() const { return m_server; }

  // Runs a server-side program (initdb, pg_ctl) as the server's owner.
  Spawned run_as_owner(std::vector<std::string> argv) const {
    if (m_as_postgres) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return spawn_and_wait(argv, m_scratch);
  }
  Spawned run(const std::vector<std::string>& argv) const { return spawn_and_wait(argv, m_scratch); }
  const fs::path& scratch() const { return m_scratch; }

 private:
  void fail(const std::string& what, const Spawned& r) const {
    std::string log = read_file(fs::path(m_server.root_dir) / "server.log");
    throw std::runtime_error("pg_harness: " + what + " failed (exit " + std::to_string(r.status) +
                             "): " + r.err + r.out + "\nserver log:\n" + log);
  }

  void start() {
    m_server.bin_dir = find_bin_dir();
    if (!fs::exists(fs::path(m_server.bin_dir) / "initdb")) {
      throw std::runtime_error("pg_harness: no initdb in " + m_server.bin_dir +
                               " (install postgresql-15, or set PLUMB_PG_BINDIR)");
    }
    char tmpl[] = "/tmp/plumb-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("pg_harness: mkdtemp failed");
    m_server.root_dir = tmpl;
    const fs::path root = m_server.root_dir;
    m_scratch = root / "scratch";
    fs::create_directories(m_scratch);
    fs::create_directories(root / "data");
    fs::create_directories(root / "sock");
    m_server.socket_dir = (root / "sock").string();
    m_server.port = 5432;
    start_watchdog();
    m_as_postgres = ::geteuid() == 0;
    if (m_as_postgres) chown_to_postgres(root);
    init_and_start(root);
  }

  void chown_to_postgres(const fs::path& root) {
    const passwd* pw = ::getpwnam("postgres");
    if (!pw)
      throw std::runtime_error(
          "pg_harness: running as root but there is no `postgres` user to run the server");
    for (const fs::path& p : {root, root / "data", root / "sock", root / "scratch"}) {
      if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        throw std::runtime_error("pg_harness: chown " + p.string() + ": " + std::strerror(errno));
      }
    }
  }

  void init_and_start(const fs::path& root) {
    const std::string bin = m_server.bin_dir;
    auto init = run_as_owner({bin + "/initdb", "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                              "--locale=C", "-D", (root / "data").string()});
    if (init.status != 0) fail("initdb", init);
    const std::string opts = "-k " + m_server.socket_dir + " -p " + std::to_string(m_server.port) +
                             " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                             " -c full_page_writes=off -c max_connections=60";
    auto started = run_as_owner({bin + "/pg_ctl", "start", "-w", "-t", "60", "-D", (root / "data").string(),
                                 "-l", (root / "server.log").string(), "-o", opts});
    if (started.status != 0) fail("pg_ctl start", started);
  }

  // A shell that waits for EOF on a pipe only we hold, then stops the server and removes the
  // directory: cleanup happens whichever way this process ends (exit, abort, SIGKILL).
  void start_watchdog() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pg_harness: pipe failed");
    const std::string data = m_server.root_dir + "/data";
    const std::string stop =
        quote_for_sh(m_server.bin_dir + "/pg_ctl") + " stop -m immediate -D " + quote_for_sh(data);
    const std::string as_owner = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    const std::string script = "cat >/dev/null; if [ -f " + quote_for_sh(data + "/postmaster.pid") +
                               " ]; then " + as_owner + stop + " >/dev/null 2>&1; fi; rm -rf " +
                               quote_for_sh(m_server.root_dir);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
    const int rc = posix_spawn(&m_watchdog, "/bin/sh", &actions, &attr, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[0]);
    if (rc != 0) throw std::runtime_error("pg_harness: cannot start the cleanup watchdog");
    m_pipe = fds[1];
  }

  void shutdown() {
    if (m_pipe >= 0) ::close(m_pipe);
    m_pipe = -1;
    if (m_watchdog > 0) {
      int status = 0;
      while (::waitpid(m_watchdog, &status, 0) < 0 && errno == EINTR) {
      }
    }
    m_watchdog = 0;
  }

  PgServer m_server;
  fs::path m_scratch;
  bool m_as_postgres = false;
  int m_pipe = -1;
  pid_t m_watchdog = 0;
};

Harness& harness() {
  // Constructed on first use; destroyed at exit, which stops the server.
  static Harness instance;
  return instance;
}

}  // namespace

std::string PgServer::url(const std::string& dbname) const {
  return "host=" + socket_dir + " port=" + std::to_string(port) + " user=postgres dbname=" + dbname;
}

const PgServer& pg_server() {
  return harness().server();
}

std::string run_client(const std::string& program, const std::vector<std::string>& args) {
  const Harness& h = harness();
  std::vector<std::string> argv{h.server().bin_dir + "/" + program};
  argv.insert(argv.end(), args.begin(), args.end());
  Spawned r = h.run(argv);
  if (r.status != 0) {
    throw std::runtime_error("pg_harness: " + program + " failed (exit " + std::to_string(r.status) +
                             "): " + r.err);
  }
  return r.out;
}

std::string fresh_database() {
  static std::mutex mutex;
  static int counter = 0;
  std::lock_guard lock(mutex);
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  psql(pg_server().url("postgres"), "CREATE DATABASE " + name + " TEMPLATE template0");
  return pg_server().url(name);
}

std::string pg_dump(const std::string& url) {
  return run_client("pg_dump", {"--no-owner", "-d", url});
}

std::string psql(const std::string& url, const std::string& sql) {
  return run_client("psql", {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-d", url, "-c", sql});
}

}  // namespace plumb::testing
