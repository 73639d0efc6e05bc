#pragma once
// A PostgreSQL wire-protocol proxy on a Unix socket, in front of the harness's server, that can
// break the connection of plumb's apply exactly at its COMMIT: the ambiguous commit of DESIGN §6
// (the client cannot tell whether the transaction committed). It reads the frontend messages
// (startup packet, then type + length framed), marks a session whose transaction sets
// the setting 'plumb.sync_run' (only the store's apply does) and acts on that transaction's COMMIT once
// armed.
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace plumb::chaos {

class CommitProxy {
 public:
  enum class Mode {
    pass,           // forward everything
    commit_lost,    // close the client at COMMIT, then forward COMMIT: it commits, the client never hears
    never_arrived,  // close both sides at COMMIT without forwarding it: it does not commit
  };

  // Listens on `dir`/.s.PGSQL.<port> and forwards each session to the same port's socket in
  // `upstream_dir`. `delay_ms`: in commit_lost mode, how long COMMIT is held after the client is cut
  // off (the client's reconnection then races a transaction that has not ended yet).
  CommitProxy(std::filesystem::path dir, std::string upstream_dir, int port, int delay_ms = 500);
  ~CommitProxy();
  CommitProxy(const CommitProxy&) = delete;
  CommitProxy& operator=(const CommitProxy&) = delete;

  // libpq connection string to `dbname` through the proxy.
  std::string url(const std::string& dbname) const;
  // Acts on the next apply COMMIT as `mode` (once; then back to pass).
  void arm(Mode mode) { m_armed.store(mode); }
  // How many COMMITs the proxy has acted on.
  int fired() const { return m_fired.load(); }

 private:
  struct Session {
    int client = -1;
    int server = -1;
    std::thread up, down;
  };
  void accept_loop();
  void pump_up(Session& s);
  void pump_down(Session& s);

  std::filesystem::path m_dir;
  std::string m_upstream;
  int m_port;
  int m_delay_ms;
  int m_listen = -1;
  std::atomic<Mode> m_armed{Mode::pass};
  std::atomic<int> m_fired{0};
  std::atomic<bool> m_stop{false};
  std::mutex m_mu;
  std::vector<std::unique_ptr<Session>> m_sessions;
  std::thread m_acceptor;
};

}  // namespace plumb::chaos
