#include "tests/chaos/commit_proxy.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace plumb::chaos {

namespace {

constexpr std::uint32_t k_ssl_request = 80877103;
constexpr std::uint32_t k_gss_request = 80877104;

sockaddr_un unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool read_full(int fd, char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_full(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t put = ::send(fd, data, n, MSG_NOSIGNAL);  // a closed peer is an error, not SIGPIPE
    if (put <= 0) return false;
    data += put;
    n -= static_cast<std::size_t>(put);
  }
  return true;
}

std::uint32_t be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | u[3];
}

// One length-prefixed message; `header` bytes precede the length (0 for startup, 1 for typed).
bool read_message(int fd, std::size_t header, std::string& msg) {
  msg.assign(header + 4, '\0');
  if (!read_full(fd, msg.data(), header + 4)) return false;
  const std::uint32_t len = be32(msg.data() + header);
  if (len < 4 || len > (64u << 20)) return false;
  msg.resize(header + len);
  return read_full(fd, msg.data() + header + 4, len - 4);
}

}  // namespace

CommitProxy::CommitProxy(std::filesystem::path dir, std::string upstream_dir, int port, int delay_ms)
    : m_dir(std::move(dir)), m_upstream(std::move(upstream_dir)), m_port(port), m_delay_ms(delay_ms) {
  std::filesystem::create_directories(m_dir);
  const std::string path = (m_dir / (".s.PGSQL." + std::to_string(port))).string();
  std::filesystem::remove(path);
  m_listen = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_un addr = unix_address(path);
  if (m_listen < 0 || ::bind(m_listen, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(m_listen, 64) != 0) {
    throw std::runtime_error("proxy: cannot listen on " + path + ": " + std::strerror(errno));
  }
  m_acceptor = std::thread([this] { accept_loop(); });
}

CommitProxy::~CommitProxy() {
  m_stop = true;
  m_acceptor.join();
  ::close(m_listen);
  std::lock_guard<std::mutex> g(m_mu);
  for (auto& s : m_sessions) {
    ::shutdown(s->client, SHUT_RDWR);
    ::shutdown(s->server, SHUT_RDWR);
  }
  for (auto& s : m_sessions) {
    s->up.join();
    s->down.join();
    ::close(s->client);
    ::close(s->server);
  }
}

std::string CommitProxy::url(const std::string& dbname) const {
  return "host=" + m_dir.string() + " port=" + std::to_string(m_port) + " user=postgres dbname=" + dbname;
}

void CommitProxy::accept_loop() {
  while (!m_stop) {
    pollfd p{m_listen, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    const int server = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = unix_address(m_upstream + "/.s.PGSQL." + std::to_string(m_port));
    if (server < 0 || ::connect(server, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(client);
      if (server >= 0) ::close(server);
      continue;
    }
    auto s = std::make_unique<Session>();
    s->client = client;
    s->server = server;
    Session& ref = *s;
    std::lock_guard<std::mutex> g(m_mu);
    s->up = std::thread([this, &ref] { pump_up(ref); });
    s->down = std::thread([this, &ref] { pump_down(ref); });
    m_sessions.push_back(std::move(s));
  }
}

// Client to server, message by message: the only direction the proxy needs to understand.
void CommitProxy::pump_up(Session& s) {
  std::string msg;
  // Startup: SSL/GSS encryption requests (answered 'N' by the server, passed through by
  // pump_down) come before the real startup packet.
  while (true) {
    if (!read_message(s.client, 0, msg) || !write_full(s.server, msg.data(), msg.size())) return;
    const std::uint32_t code = msg.size() >= 8 ? be32(msg.data() + 4) : 0;
    if (code != k_ssl_request && code != k_gss_request) break;
  }
  bool in_apply = false;
  while (read_message(s.client, 1, msg)) {
    const char type = msg[0];
    const std::string_view body(msg.data() + 5, msg.size() - 5);
    if ((type == 'Q' || type == 'P') && body.find("'plumb.sync_run'") != std::string_view::npos) {
      in_apply = true;  // set_config('plumb.sync_run', ...), not the table plumb.sync_runs
    }
    const bool commit = type == 'Q' && body.rfind("COMMIT", 0) == 0;
    if (commit && in_apply && m_armed.load() != Mode::pass) {
      const Mode mode = m_armed.exchange(Mode::pass);
      ++m_fired;
      ::shutdown(s.client, SHUT_RDWR);  // the client sees the connection drop during COMMIT
      if (mode == Mode::commit_lost) {
        std::this_thread::sleep_for(std::chrono::milliseconds(m_delay_ms));
        write_full(s.server, msg.data(), msg.size());
      }
      ::shutdown(s.server, SHUT_WR);  // the server ends the session after what it has read
      return;
    }
    if (type == 'Q' && (commit || body.rfind("ROLLBACK", 0) == 0)) in_apply = false;
    if (!write_full(s.server, msg.data(), msg.size())) return;
  }
  ::shutdown(s.server, SHUT_WR);
}

void CommitProxy::pump_down(Session& s) {
  std::array<char, 16384> buf{};
  while (true) {
    const ssize_t got = ::recv(s.server, buf.data(), buf.size(), 0);
    if (got <= 0 || !write_full(s.client, buf.data(), static_cast<std::size_t>(got))) break;
  }
  ::shutdown(s.client, SHUT_RDWR);
  ::shutdown(s.server, SHUT_RD);
}

}  // namespace plumb::chaos
