#pragma once
#include <string>
#include <vector>

namespace plumb::cli {

// Outcome of a child process: its exit status (or -1 if it could not start / was killed) and
// its combined stdout+stderr when captured.
struct ProcessResult {
  int exit_code = -1;
  std::string output;
};

// Runs argv[0] (looked up in PATH when it has no slash) with argv, no shell involved, and waits.
// When `as_user` is set (and we are root) the child drops to that user first (setgid/setuid).
// Output is captured (bounded to 1 MiB) when `capture` is true, else inherited.
ProcessResult run_process(const std::vector<std::string>& argv, bool capture = true, const std::string& as_user = {});

}  // namespace plumb::cli
