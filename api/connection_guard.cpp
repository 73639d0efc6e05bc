#include "api/connection_guard.hpp"

#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string_view>
#include <vector>

namespace plumb::api {
namespace {

int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return -1;
}

// "addr:port" of the far end, formatted as cpp-httplib reports remote_addr and remote_port.
std::string peer_of(int sock) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return {};
  }
  return std::string(host) + ":" + port;
}

// True if a whole request head sits unread in the socket's receive buffer: the client is not
// slow, it waits in the accept queue for a free worker thread.
bool request_waiting(int fd) {
  char buf[16384];
  const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT);
  return n > 0 && std::string_view(buf, static_cast<std::size_t>(n)).find("\r\n\r\n") != std::string_view::npos;
}

// Accepted connections of the server on `local_port`.
std::vector<ConnectionGuard::Seen> server_connections(int local_port) {
  std::vector<ConnectionGuard::Seen> out;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return out;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    if (port_of(local) != local_port) continue;
    std::string peer = peer_of(static_cast<int>(fd));
    if (peer.empty()) continue;  // the listening socket has no peer
    out.push_back({static_cast<int>(fd), std::move(peer), request_waiting(static_cast<int>(fd))});
  }
  closedir(dir);
  return out;
}

}  // namespace

ConnectionGuard::ConnectionGuard(std::chrono::milliseconds deadline) : m_deadline(deadline) {}

ConnectionGuard::~ConnectionGuard() { stop(); }

void ConnectionGuard::start(int local_port) {
  std::lock_guard lock(m_mutex);
  if (m_thread.joinable()) return;
  m_port = local_port;
  m_stopping = false;
  m_thread = std::thread([this] { run(); });
}

void ConnectionGuard::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void ConnectionGuard::handling(const std::string& peer) {
  std::lock_guard lock(m_mutex);
  auto& tracked = m_by_peer[peer];
  tracked.busy = true;
}

void ConnectionGuard::answered(const std::string& peer) {
  std::lock_guard lock(m_mutex);
  auto& tracked = m_by_peer[peer];
  tracked.busy = false;
  tracked.deadline = std::chrono::steady_clock::now() + m_deadline;
}

void ConnectionGuard::scan(const std::vector<Seen>& connections, std::chrono::steady_clock::time_point now) {
  for (auto& [peer, tracked] : m_by_peer) tracked.seen = false;
  for (const auto& [fd, peer, waiting] : connections) {
    auto [it, inserted] = m_by_peer.try_emplace(peer);
    Tracked& tracked = it->second;
    if (inserted || tracked.sock != fd) {
      if (inserted) tracked.deadline = now + m_deadline;
      tracked.sock = fd;
    }
    tracked.seen = true;
    if (waiting) tracked.deadline = now + m_deadline;  // queued for a worker, not slow
    if (tracked.busy || tracked.cut || now < tracked.deadline) continue;
    // Re-check the descriptor still is this peer's: it may have been closed and reused.
    if (peer_of(fd) != peer) continue;
    // shutdown, not close: the worker owning the descriptor closes it once its read fails.
    ::shutdown(fd, SHUT_RDWR);
    tracked.cut = true;
  }
  for (auto it = m_by_peer.begin(); it != m_by_peer.end();) {
    it = (!it->second.seen && !it->second.busy) ? m_by_peer.erase(it) : std::next(it);
  }
}

void ConnectionGuard::run() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    m_wake.wait_for(lock, std::chrono::milliseconds(100));
    if (m_stopping) break;
    // Walk /proc without the lock: request threads take it twice per request.
    lock.unlock();
    const auto connections = server_connections(m_port);
    lock.lock();
    scan(connections, std::chrono::steady_clock::now());
  }
}

}  // namespace plumb::api
