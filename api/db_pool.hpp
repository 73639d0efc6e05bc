#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "reconciler/util/error.hpp"

#include <pqxx/connection>

namespace plumb::api {

// A small fixed-size pool of libpqxx connections, each with search_path set to plumb's schema.
// Connections are opened lazily and replaced when broken; waiting longer than `acquire_timeout`
// for one is a transient DB_UNAVAILABLE error. pqxx exceptions never leave this class's callers'
// `with_connection` callback unobserved: they become Errors.
class DbPool {
 public:
  DbPool(std::string url, std::string schema, std::size_t size, std::chrono::seconds acquire_timeout);
  ~DbPool();
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;

  // Runs `fn` with a borrowed connection. Exceptions thrown by `fn` (pqxx or otherwise) are
  // caught and returned as Errors; a broken connection is discarded.
  Result<void> with_connection(const std::function<void(pqxx::connection&)>& fn);

 private:
  Result<std::unique_ptr<pqxx::connection>> borrow();
  void give_back(std::unique_ptr<pqxx::connection> conn);

  std::string m_url;
  std::string m_schema;
  std::size_t m_size;
  std::chrono::seconds m_acquire_timeout;
  std::mutex m_mutex;
  std::condition_variable m_available;
  std::vector<std::unique_ptr<pqxx::connection>> m_idle;
  std::size_t m_open = 0;  // connections currently existing (idle + borrowed)
};

}  // namespace plumb::api
