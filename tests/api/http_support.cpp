#include "tests/api/http_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace plumb::api::testing {

ApiConfig test_config(const std::string& database_url) {
  ApiConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.database_url = database_url;
  config.admin_token = k_admin;
  config.webhook_secret = "webhook-secret";
  config.server_key = "server-key-for-tests";
  config.threads = 8;
  config.db_acquire_timeout = std::chrono::seconds(2);
  config.request_deadline = std::chrono::milliseconds(1500);
  return config;
}

std::unique_ptr<Server> start(ApiConfig config, ControllerHooks hooks) {
  auto server = std::make_unique<Server>(std::move(config), std::move(hooks));
  auto started = server->start();
  if (!started) FAIL("server did not start: " << started.error().message);
  return server;
}

std::unique_ptr<httplib::Client> client(const Server& server) {
  auto cli = std::make_unique<httplib::Client>("127.0.0.1", server.port());
  cli->set_connection_timeout(2, 0);
  cli->set_read_timeout(10, 0);
  cli->set_write_timeout(5, 0);
  return cli;
}

httplib::Headers bearer(const std::string& token, httplib::Headers extra) {
  extra.emplace("Authorization", "Bearer " + token);
  return extra;
}

Json body_json(const httplib::Result& result) {
  if (!result) return nullptr;
  return Json::parse(result->body, nullptr, false);
}

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string exchange(int fd, const std::string& data, std::chrono::milliseconds timeout) {
  if (!data.empty()) (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace plumb::api::testing
