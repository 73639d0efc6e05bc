#include "api/db_pool.hpp"

#include <pqxx/pqxx>

namespace plumb::api {

DbPool::DbPool(std::string url, std::string schema, std::size_t size, std::chrono::seconds acquire_timeout)
    : m_url(std::move(url)), m_schema(std::move(schema)), m_size(size == 0 ? 1 : size),
      m_acquire_timeout(acquire_timeout) {}

DbPool::~DbPool() = default;

Result<std::unique_ptr<pqxx::connection>> DbPool::borrow() {
  {
    std::unique_lock lock(m_mutex);
    const bool got = m_available.wait_for(lock, m_acquire_timeout, [&] { return !m_idle.empty() || m_open < m_size; });
    if (!got) return make_error(ErrorKind::transient, "DB_UNAVAILABLE", "no database connection became free in time");
    if (!m_idle.empty()) {
      auto conn = std::move(m_idle.back());
      m_idle.pop_back();
      return conn;
    }
    ++m_open;  // reserve a slot, then connect without holding the lock
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(m_url);
    pqxx::nontransaction tx(*conn);
    tx.exec("SET search_path TO " + tx.quote_name(m_schema) + ", public");
    tx.exec("SET application_name TO 'plumb-api'");
    return conn;
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(m_mutex);
      --m_open;
    }
    m_available.notify_one();
    return make_error(ErrorKind::transient, "DB_UNAVAILABLE", std::string("cannot connect to the database: ") + e.what());
  }
}

void DbPool::give_back(std::unique_ptr<pqxx::connection> conn) {
  {
    std::lock_guard lock(m_mutex);
    if (conn && conn->is_open()) {
      m_idle.push_back(std::move(conn));
    } else {
      --m_open;
    }
  }
  m_available.notify_one();
}

Result<void> DbPool::with_connection(const std::function<void(pqxx::connection&)>& fn) {
  auto conn = borrow();
  if (!conn) return tl::unexpected(conn.error());
  try {
    fn(**conn);
    give_back(std::move(*conn));
    return {};
  } catch (const pqxx::broken_connection& e) {
    give_back(nullptr);
    return make_error(ErrorKind::transient, "DB_UNAVAILABLE", std::string("database connection lost: ") + e.what());
  } catch (const std::exception& e) {
    give_back(std::move(*conn));
    return make_error(ErrorKind::transient, "DB_QUERY_FAILED", e.what());
  }
}

}  // namespace plumb::api
