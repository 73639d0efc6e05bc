#pragma once
// Running the real `plumb` binary (and tools around it) from security tests: captured stdout and
// stderr kept apart, background processes killed on scope exit, temporary directories.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace plumb::security_testing {

namespace fs = std::filesystem;

// What a finished command produced.
struct Run {
  int code = -1;    // exit status; -1 if killed by a signal
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `argv` (argv[0] is a path or a name found on PATH) in `cwd` with extra `env` entries
// ("NAME=value"), stdin from /dev/null, and waits. Fails the test if it cannot be started.
Run run(const std::vector<std::string>& argv, const fs::path& cwd = {}, const std::vector<std::string>& env = {});

// A background process whose stdout and stderr go to one log file; SIGKILLed on destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, fs::path log, const std::vector<std::string>& env = {});
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // SIGTERM and wait; returns the exit status (-1 if killed by a signal).
  int stop();
  // Everything the process wrote so far.
  std::string output() const;

 private:
  pid_t m_pid = -1;
  fs::path m_log;
};

// A fresh empty directory under the system temp dir, named for `name` and this process.
fs::path temp_dir(const std::string& name);

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// Reads a whole file ("" if it does not exist).
std::string read_file(const fs::path& path);

// True if `program` is found on PATH.
bool on_path(const std::string& program);

}  // namespace plumb::security_testing
