// `plumb run` as the Helm chart starts it: a Git repository, a database, an API port and an
// admin token file. Drives the real binary and reads its API over HTTP.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/pg_harness.hpp"

namespace fs = std::filesystem;

namespace {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The operator process; SIGTERM on scope exit if the test did not stop it.
struct Operator {
  pid_t pid = -1;
  fs::path log;
  ~Operator() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  int stop() {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string output() const {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

Operator start_operator(const std::vector<std::string>& args, const fs::path& log) {
  Operator op;
  op.log = log;
  op.pid = ::fork();
  REQUIRE(op.pid >= 0);
  if (op.pid == 0) {
    std::FILE* out = std::fopen(log.c_str(), "w");
    if (out == nullptr) ::_exit(127);
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
    std::vector<char*> argv;
    std::string binary = PLUMB_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return op;
}

// Polls `path` until `accept` says yes or ~30 s pass; returns the last body.
std::string poll(httplib::Client& http, const std::string& path, const std::function<bool(const httplib::Result&)>& accept) {
  std::string last;
  for (int i = 0; i < 300; ++i) {
    auto res = http.Get(path.c_str());
    if (res) last = res->body;
    if (res && accept(res)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("timed out waiting for " << path << "; last answer: " << last);
  return last;
}

}  // namespace

TEST_CASE("plumb run reconciles a Git repository, serves the API and reports passes in /metrics", "[cli][db]") {
  std::string url = plumb::testing::fresh_database();
  fs::path dir = fs::temp_directory_path() / ("plumb-run-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(fs::path(PLUMB_SOURCE_DIR) / "examples", dir / "repo", fs::copy_options::recursive);
  REQUIRE(std::system(("cd '" + (dir / "repo").string() +
                       "' && git init -q -b main && git add -A && "
                       "git -c user.email=t@e -c user.name=t commit -qm init")
                          .c_str()) == 0);
  const std::string admin = "admin-0123456789abcdef0123456789abcdef";
  std::ofstream(dir / "admin.token") << admin << "\n";
  std::ofstream(dir / "token.key") << "0123456789abcdef0123456789abcdef\n";
  const int port = free_port();

  Operator op = start_operator({"--log-format", "json", "run", "--repo", (dir / "repo").string(), "--database-url", url,
                                "--listen", "127.0.0.1:" + std::to_string(port), "--admin-token-file",
                                (dir / "admin.token").string(), "--token-key-file", (dir / "token.key").string(),
                                "--cache-dir", (dir / "cache").string(), "--interval", "1h"},
                               dir / "operator.log");
  httplib::Client http("127.0.0.1", port);
  http.set_bearer_token_auth(admin.c_str());
  poll(http, "/readyz", [](const httplib::Result& r) { return r->status == 200; });

  std::string metrics = poll(http, "/metrics", [](const httplib::Result& r) {
    return r->body.find("plumb_pass_duration_seconds_count{outcome=\"succeeded\"} 1") != std::string::npos;
  });
  CHECK(metrics.find("plumb_applied_changes_total{kind=\"Tenant\",action=\"create\"} 3") != std::string::npos);

  auto tenants = http.Get("/v1/tenants");
  REQUIRE(tenants);
  CHECK(tenants->status == 200);
  auto body = nlohmann::json::parse(tenants->body);
  CHECK(body["data"].size() == 3);

  auto unauthenticated = httplib::Client("127.0.0.1", port).Get("/v1/tenants");
  REQUIRE(unauthenticated);
  CHECK(unauthenticated->status == 401);

  CHECK(op.stop() == 0);
  std::string log = op.output();
  CHECK(log.find("stopped cleanly") != std::string::npos);
  CHECK(log.find(admin) == std::string::npos);
  fs::remove_all(dir);
}
