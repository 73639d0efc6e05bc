#include "tests/security/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

namespace plumb::security_testing {
namespace {

// execvp in a forked child with extra environment; never returns.
[[noreturn]] void exec_child(const std::vector<std::string>& argv, const fs::path& cwd, const std::vector<std::string>& env) {
  if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
  for (const auto& entry : env) ::putenv(const_cast<char*>(entry.c_str()));  // the child owns its copy
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

Run run(const std::vector<std::string>& argv, const fs::path& cwd, const std::vector<std::string>& env) {
  // Output goes to files, not pipes, so a chatty child never blocks on a full pipe.
  const fs::path dir = temp_dir("run");
  const fs::path out = dir / "out";
  const fs::path err = dir / "err";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0 || e < 0) ::_exit(125);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    exec_child(argv, cwd, env);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  Run result{exit_code(status), read_file(out), read_file(err)};
  fs::remove_all(dir);
  return result;
}

Background::Background(const std::vector<std::string>& argv, fs::path log, const std::vector<std::string>& env)
    : m_log(std::move(log)) {
  m_pid = ::fork();
  REQUIRE(m_pid >= 0);
  if (m_pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int o = ::open(m_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || o < 0) ::_exit(125);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(o, 2);
    exec_child(argv, {}, env);
  }
}

Background::~Background() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
  }
}

int Background::stop() {
  if (m_pid <= 0) return -1;
  ::kill(m_pid, SIGTERM);
  int status = 0;
  ::waitpid(m_pid, &status, 0);
  m_pid = -1;
  return exit_code(status);
}

std::string Background::output() const { return read_file(m_log); }

fs::path temp_dir(const std::string& name) {
  static int counter = 0;
  fs::path dir = fs::temp_directory_path() /
                 ("plumb-sec-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool on_path(const std::string& program) {
  return run({"sh", "-c", "command -v " + program + " >/dev/null"}).code == 0;
}

}  // namespace plumb::security_testing
