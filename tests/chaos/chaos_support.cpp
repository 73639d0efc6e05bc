#include "tests/chaos/chaos_support.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "tests/support/pg_harness.hpp"

namespace plumb::chaos {

namespace {

constexpr std::size_t k_per_tenant = 28;          // see write_config
constexpr std::size_t k_changes_per_tenant = 22;  // 19 pipeline updates, 1 delete, 1 create, 1 token update

std::string tenant_name(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "t%05zu", i);
  return buf;
}

void write_tenant(std::ostream& out, const std::string& t, int variant) {
  out << "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: " << t
      << "\nspec:\n  displayName: Tenant " << t << "\n  plan: growth\n  adminEmail: admin@" << t
      << ".example.com\n";
  for (const char* role : {"reader", "writer"}) {
    out << "---\napiVersion: plumb.dev/v1\nkind: Role\nmetadata:\n  name: " << role << "\n  tenant: " << t
        << "\nspec:\n  permissions: [\"pipelines:" << (role[0] == 'r' ? "read" : "write") << "\"]\n";
  }
  out << "---\napiVersion: plumb.dev/v1\nkind: ApiToken\nmetadata:\n  name: ci-token\n  tenant: " << t
      << "\nspec:\n  description: token variant " << variant << "\n  role: reader\n";
  for (int w = 0; w < 4; ++w) {
    const std::string ws = "ws-" + std::to_string(w);
    out << "---\napiVersion: plumb.dev/v1\nkind: Workspace\nmetadata:\n  name: " << ws << "\n  tenant: " << t
        << "\nspec:\n  displayName: Workspace " << w << "\n  capabilities: [postgres, kafka]\n";
    for (int p = 0; p < 5; ++p) {
      // In ws0 variant 1 replaces pipe-0 by pipe-5: one delete and one create per tenant.
      const int n = (w == 0 && variant == 1 && p == 0) ? 5 : p;
      out << "---\napiVersion: plumb.dev/v1\nkind: Pipeline\nmetadata:\n  name: pipe-" << n
          << "\n  tenant: " << t << "\n  workspace: " << ws << "\nspec:\n  description: pipeline variant "
          << variant << "\n  source:\n    type: kafka\n    config:\n      topic: " << t << "-" << ws << "-"
          << n
          << "\n  transformations:\n    - name: keep\n      type: filter\n      config: {expression: "
             "\"true\"}\n";
    }
  }
}

// PLUMB_CHAOS_BINARY runs the suite against another build (or a private copy of this one).
std::string plumb_binary() {
  const char* env = std::getenv("PLUMB_CHAOS_BINARY");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(PLUMB_BINARY);
}

}  // namespace

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void sh(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("command failed: " + cmd);
}

Run run_plumb(const std::vector<std::string>& args, const std::string& env) {
  std::string cmd = env + " " + quote(plumb_binary());
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " </dev/null 2>&1";
  Run run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) run.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

Process::Process(const std::vector<std::string>& args, const std::string& env, fs::path log)
    : m_log(std::move(log)) {
  // Through /bin/sh -c 'exec ...' so `env` assignments apply; exec keeps our pid the plumb pid.
  std::string cmd = "exec env " + env + " " + quote(plumb_binary());
  for (const auto& a : args) cmd += " " + quote(a);
  m_pid = ::fork();
  if (m_pid < 0) throw std::runtime_error("fork failed");
  if (m_pid == 0) {
    const int fd = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = ::open("/dev/null", O_RDONLY);
    if (fd < 0 || in < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

Process::~Process() {
  if (m_pid > 0 && !m_reaped) {
    ::kill(m_pid, SIGCONT);
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
}

bool Process::signal(int sig) const {
  return !m_reaped && ::kill(m_pid, sig) == 0;
}

bool Process::running() {
  if (m_reaped) return false;
  int status = 0;
  if (::waitpid(m_pid, &status, WNOHANG) == m_pid) m_reaped = true;
  return !m_reaped;
}

int Process::wait() {
  int status = 0;
  if (m_reaped) return 0;
  while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
  }
  m_reaped = true;
  return status;
}

int Process::stop() {
  signal(SIGCONT);
  signal(SIGTERM);
  const int status = wait();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Process::output() const {
  std::ifstream in(m_log);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Process::tail(std::size_t bytes) const {
  const std::string out = output();
  return out.size() <= bytes ? out : out.substr(out.size() - bytes);
}

bool Process::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout,
                           std::size_t from) const {
  return eventually(timeout, [&] {
    const std::string out = output();
    return out.size() > from && out.find(needle, from) != std::string::npos;
  });
}

TempDir::TempDir(const std::string& name)
    : m_path(fs::temp_directory_path() / ("plumb-chaos-" + name + "-" + std::to_string(::getpid()))) {
  fs::remove_all(m_path);
  fs::create_directories(m_path);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

std::size_t write_config(const fs::path& dir, std::size_t resources, int variant) {
  const std::size_t tenants = std::max<std::size_t>(1, resources / k_per_tenant);
  fs::remove_all(dir / "tenants");
  fs::create_directories(dir / "tenants");
  for (std::size_t i = 0; i < tenants; ++i) {
    const std::string t = tenant_name(i);
    std::ofstream out(dir / "tenants" / (t + ".yaml"));
    write_tenant(out, t, variant);
  }
  return tenants * k_per_tenant;
}

std::size_t variant_changes(std::size_t resources) {
  return std::max<std::size_t>(1, resources / k_per_tenant) * k_changes_per_tenant;
}

void git_init(const fs::path& dir) {
  sh("cd " + quote(dir.string()) + " && git init -q -b main && git add -A && " +
     "git -c user.email=chaos@example.com -c user.name=chaos commit -qm init");
}

std::string git_commit(const fs::path& dir, const std::string& message) {
  sh("cd " + quote(dir.string()) +
     " && git add -A && git -c user.email=chaos@example.com -c user.name=chaos " + "commit -qm " +
     quote(message));
  FILE* pipe = ::popen(("git -C " + quote(dir.string()) + " rev-parse HEAD").c_str(), "r");
  std::array<char, 128> buf{};
  std::string out;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  ::pclose(pipe);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Fingerprint fingerprint(const std::string& url) {
  // Volatile columns (timestamps, provenance, token secrets) are left out: two applies of the
  // same config must fingerprint equal. deleted_at is kept as a boolean (soft delete).
  static const char* k_tables[] = {"tenants", "roles", "workspaces", "pipelines", "api_tokens"};
  std::string sql = "SELECT concat_ws(' '";
  for (const char* t : k_tables) {
    const std::string row =
        std::string("(to_jsonb(x) - 'created_at' - 'updated_at' - 'deleted_at' - ") +
        "'source_commit' - 'secret_hash' - 'pending_secret' - 'minted_at' - 'revealed_at' - " +
        "'expires_at' || jsonb_build_object('live', to_jsonb(x)->'deleted_at' = 'null'::jsonb))";
    sql += std::string(", (SELECT count(*) FILTER (WHERE ") + row +
           "->>'live' IS DISTINCT FROM 'false') || ':' || " + "md5(coalesce(string_agg(" + row +
           "::text, ',' ORDER BY " + row + "::text), '')) FROM plumb." + t + " x)";
  }
  sql += ")";
  std::istringstream parts(query(url, sql));
  Fingerprint f;
  std::string part;
  while (parts >> part) {
    const auto colon = part.find(':');
    f.counts.push_back(std::stoll(part.substr(0, colon)));
    f.digest += part.substr(colon + 1, 8);
  }
  return f;
}

std::string describe(const Fingerprint& f) {
  std::string out = "{";
  for (auto c : f.counts) out += std::to_string(c) + " ";
  return out + f.digest + "}";
}

std::string query(const std::string& url, const std::string& sql) {
  std::string out = plumb::testing::psql(url, sql);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::int64_t audit_rows(const std::string& url) {
  return std::stoll(query(url, "SELECT count(*) FROM plumb.audit_log"));
}

std::int64_t plumb_sessions(const std::string& url, const std::string& where) {
  return std::stoll(query(url,
                          "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'plumb%' AND "
                          "pid <> pg_backend_pid() "
                          "AND (" +
                              where + ")"));
}

std::int64_t advisory_locks(const std::string& url) {
  return std::stoll(query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"));
}

bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: bind failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::pair<int, std::string> http_get(int port, const std::string& path, const std::string& token) {
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(2);
  http.set_read_timeout(5);
  if (!token.empty()) http.set_bearer_token_auth(token.c_str());
  auto res = http.Get(path.c_str());
  if (!res) return {0, ""};
  return {res->status, res->body};
}

std::pair<int, std::string> http_post(int port, const std::string& path, const std::string& token) {
  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(2);
  http.set_read_timeout(5);
  http.set_bearer_token_auth(token.c_str());
  auto res = http.Post(path.c_str(), "{}", "application/json");
  if (!res) return {0, ""};
  return {res->status, res->body};
}

std::size_t chaos_scale(std::size_t fallback) {
  const char* env = std::getenv("PLUMB_CHAOS_SCALE");
  if (env == nullptr || *env == '\0') return fallback;
  return static_cast<std::size_t>(std::stoull(env));
}

}  // namespace plumb::chaos
