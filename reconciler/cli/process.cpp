#include "reconciler/cli/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>

namespace plumb::cli {
namespace {

constexpr std::size_t k_max_capture = 1u << 20;

// In the child: become `user` (group list, gid, uid, HOME), or exit 126.
void drop_privileges(const std::string& user) {
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr || ::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
      ::setuid(pw->pw_uid) != 0) {
    ::_exit(126);
  }
  ::setenv("HOME", pw->pw_dir, 1);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, bool capture, const std::string& as_user) {
  ProcessResult result;
  if (argv.empty()) return result;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int pipe_fds[2] = {-1, -1};
  if (capture && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  pid_t pid = ::fork();
  if (pid < 0) {
    if (capture) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
    }
    return result;
  }
  if (pid == 0) {
    if (capture) {
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      ::dup2(pipe_fds[1], STDERR_FILENO);
    }
    if (!as_user.empty() && ::geteuid() == 0) drop_privileges(as_user);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  if (capture) {
    ::close(pipe_fds[1]);
    std::array<char, 4096> buf{};
    for (;;) {
      ssize_t n = ::read(pipe_fds[0], buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      if (result.output.size() < k_max_capture) result.output.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace plumb::cli
