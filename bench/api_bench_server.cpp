// plumb_api_bench_server: the REST API alone over an existing database, for bench/api_bench.sh.
// Usage: plumb_api_bench_server --database-url URL --admin-token TOKEN [--port N] [--threads N]
//        [--rate-limit N] [--keep-alive-max N]. Prints "PLUMB_API_PORT=N" on stdout, runs until SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "api/server.hpp"

int main(int argc, char** argv) {
  plumb::api::ApiConfig config;
  config.rate_limit_per_minute = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--database-url") config.database_url = value;
    else if (flag == "--admin-token") config.admin_token = value;
    else if (flag == "--port") config.port = std::atoi(value.c_str());
    else if (flag == "--threads") config.threads = static_cast<std::size_t>(std::atol(value.c_str()));
    else if (flag == "--rate-limit") config.rate_limit_per_minute = static_cast<std::size_t>(std::atol(value.c_str()));
    else if (flag == "--schema") config.schema = value;
    else if (flag == "--request-deadline-ms") config.request_deadline = std::chrono::milliseconds(std::atol(value.c_str()));
    else if (flag == "--keep-alive-max") config.keep_alive_max_count = static_cast<std::size_t>(std::atol(value.c_str()));
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's threads start
  plumb::api::Server server(config);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "plumb_api_bench_server: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("PLUMB_API_PORT=%d\n", server.port());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
