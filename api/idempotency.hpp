#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/reply.hpp"

namespace plumb::api {

// Remembers the first response to each (caller, Idempotency-Key) for `ttl` (24 h), in memory:
// enough for one replica; a restart forgets keys. Bounded: the oldest entries go past `capacity`.
class IdempotencyStore {
 public:
  using Clock = std::chrono::steady_clock;
  explicit IdempotencyStore(std::chrono::seconds ttl = std::chrono::hours(24), std::size_t capacity = 10000);

  enum class Outcome { fresh, replay, conflict, in_progress };
  struct Lookup {
    Outcome outcome = Outcome::fresh;
    Reply reply;  // for replay
  };

  // Looks `key` up for `caller`; `body_hash` identifies the request body. A fresh key is reserved
  // at once, so a concurrent duplicate sees in_progress instead of running the request twice.
  Lookup begin(const std::string& caller, const std::string& key, const std::string& body_hash);

  // Records the reply to a request that got `fresh` (replays follow), or releases the key.
  void remember(const std::string& caller, const std::string& key, const Reply& reply);
  void forget(const std::string& caller, const std::string& key);

 private:
  struct Entry {
    std::string body_hash;
    bool done = false;
    Reply reply;
    Clock::time_point stored;
  };
  void expire(Clock::time_point now);

  std::chrono::seconds m_ttl;
  std::size_t m_capacity;
  std::mutex m_mutex;
  std::unordered_map<std::string, Entry> m_entries;
};

}  // namespace plumb::api
