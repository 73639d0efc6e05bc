#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace plumb::api {

// Cuts off clients that take too long to send a request. cpp-httplib only bounds each read, so a
// client trickling one header byte every few seconds would hold a worker thread forever; this
// watchdog gives every request `deadline` from connection open (or from the previous response)
// until its handler starts, then shuts the socket down. Handlers themselves are not timed here.
// cpp-httplib hides accepted sockets, so the watchdog finds them by scanning /proc/self/fd for
// TCP sockets whose local port is the server's (Linux only).
class ConnectionGuard {
 public:
  explicit ConnectionGuard(std::chrono::milliseconds deadline);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // Starts watching connections accepted on `local_port`; stop() joins the thread. Idempotent.
  void start(int local_port);
  void stop();

  // A connection found by a scan: descriptor, peer, and whether a whole request head waits unread.
  struct Seen {
    int fd = -1;
    std::string peer;
    bool waiting = false;
  };

  // The request from `peer` ("addr:port") was read and its handler runs: no deadline until `answered`.
  void handling(const std::string& peer);
  // A response was written to `peer`: the next request gets a fresh deadline.
  void answered(const std::string& peer);

 private:
  struct Tracked {
    int sock = -1;
    bool busy = false;
    bool cut = false;
    bool seen = false;  // found by the latest scan
    std::chrono::steady_clock::time_point deadline;
  };
  void run();
  void scan(const std::vector<Seen>& connections, std::chrono::steady_clock::time_point now);

  std::chrono::milliseconds m_deadline;
  int m_port = 0;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  std::unordered_map<std::string, Tracked> m_by_peer;
  std::thread m_thread;
};

}  // namespace plumb::api
