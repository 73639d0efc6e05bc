#include "reconciler/controller/pg_session.hpp"

#include <pqxx/pqxx>

namespace plumb::controller {

namespace {

Error db_error(const std::exception& e, std::string_view what) {
  return Error{ErrorKind::transient, "DB_UNAVAILABLE", std::string(what) + ": " + e.what()};
}

// Sessions set an application_name so the audit of out-of-band writes and pg_stat_activity
// show who they are.
std::unique_ptr<pqxx::connection> open_session(const std::string& url, const char* role) {
  auto c = std::make_unique<pqxx::connection>(url);
  pqxx::nontransaction tx(*c);
  tx.exec0(std::string("SET application_name = 'plumb-") + role + "'");
  return c;
}

class PgLeaderLock final : public LeaderLock {
 public:
  PgLeaderLock(std::unique_ptr<pqxx::connection> conn, std::int64_t key, int pid)
      : m_conn(std::move(conn)), m_fence{key, pid} {}

  Result<bool> try_acquire() override {
    try {
      pqxx::nontransaction tx(*m_conn);
      auto row = tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(m_fence.key) + ")");
      m_held = row[0].as<bool>();
      return m_held;
    } catch (const std::exception& e) {
      m_held = false;
      return tl::unexpected(db_error(e, "pg_try_advisory_lock"));
    }
  }

  // Asks the server, not our memory: a terminated session or a restarted server loses the lock.
  Result<bool> still_held() override {
    try {
      pqxx::nontransaction tx(*m_conn);
      auto row = tx.exec1("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE " + lock_condition() + ")");
      m_held = row[0].as<bool>();
      return m_held;
    } catch (const std::exception& e) {
      m_held = false;
      return tl::unexpected(db_error(e, "checking the leader lock"));
    }
  }

  void release() override {
    try {
      if (m_held) {
        pqxx::nontransaction tx(*m_conn);
        tx.exec1("SELECT pg_advisory_unlock(" + std::to_string(m_fence.key) + ")");
      }
    } catch (const std::exception&) {
      // The session ending releases the lock anyway.
    }
    m_held = false;
  }

  Fence fence() const override { return m_fence; }

 private:
  std::string lock_condition() const { return fence_sql(m_fence); }
  std::unique_ptr<pqxx::connection> m_conn;
  Fence m_fence;
  bool m_held = false;
};

class PgChangeFeed final : public ChangeFeed {
 public:
  PgChangeFeed(std::unique_ptr<pqxx::connection> conn, const std::string& channel)
      : m_conn(std::move(conn)), m_receiver(*m_conn, channel, m_count) {}

  Result<bool> wait(std::chrono::milliseconds timeout) override {
    try {
      const auto before = m_count;
      const long secs = static_cast<long>(timeout.count() / 1000);
      const long usecs = static_cast<long>((timeout.count() % 1000) * 1000);
      m_conn->await_notification(secs, usecs);
      // Drain whatever else arrived, so a burst of writes is one wake-up.
      while (m_conn->get_notifs() > 0) {
      }
      if (!m_conn->is_open()) throw pqxx::broken_connection("change feed session closed");
      return m_count != before;
    } catch (const std::exception& e) {
      return tl::unexpected(db_error(e, "LISTEN plumb_changes"));
    }
  }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection& c, const std::string& channel, std::uint64_t& count)
        : pqxx::notification_receiver(c, channel), m_count(count) {}
    void operator()(const std::string&, int) override { ++m_count; }

   private:
    std::uint64_t& m_count;
  };
  std::unique_ptr<pqxx::connection> m_conn;
  std::uint64_t m_count = 0;
  Receiver m_receiver;
};

}  // namespace

std::string fence_sql(const Fence& fence) {
  // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits,
  // objsubid = 1.
  const auto key = static_cast<std::uint64_t>(fence.key);
  return "locktype = 'advisory' AND classid = " + std::to_string(key >> 32) +
         " AND objid = " + std::to_string(key & 0xffffffffu) + " AND objsubid = 1 AND granted AND pid = " +
         std::to_string(fence.holder_pid);
}

Result<std::unique_ptr<LeaderLock>> connect_leader_lock(const std::string& database_url, std::int64_t key) {
  try {
    auto conn = open_session(database_url, "leader");
    int pid = conn->backendpid();
    return std::unique_ptr<LeaderLock>(new PgLeaderLock(std::move(conn), key, pid));
  } catch (const std::exception& e) {
    return tl::unexpected(db_error(e, "connecting the leader-election session"));
  }
}

Result<std::unique_ptr<ChangeFeed>> connect_change_feed(const std::string& database_url, const std::string& channel) {
  try {
    auto conn = open_session(database_url, "listen");
    return std::unique_ptr<ChangeFeed>(new PgChangeFeed(std::move(conn), channel));
  } catch (const std::exception& e) {
    return tl::unexpected(db_error(e, "connecting the LISTEN session"));
  }
}

}  // namespace plumb::controller
