#include "api/idempotency.hpp"

#include <algorithm>

namespace plumb::api {

IdempotencyStore::IdempotencyStore(std::chrono::seconds ttl, std::size_t capacity) : m_ttl(ttl), m_capacity(capacity) {}

void IdempotencyStore::expire(Clock::time_point now) {
  for (auto it = m_entries.begin(); it != m_entries.end();) {
    it = now - it->second.stored > m_ttl ? m_entries.erase(it) : std::next(it);
  }
  while (m_entries.size() >= m_capacity) {
    auto oldest = std::min_element(m_entries.begin(), m_entries.end(),
                                   [](const auto& a, const auto& b) { return a.second.stored < b.second.stored; });
    m_entries.erase(oldest);
  }
}

IdempotencyStore::Lookup IdempotencyStore::begin(const std::string& caller, const std::string& key,
                                                 const std::string& body_hash) {
  std::lock_guard lock(m_mutex);
  const auto now = Clock::now();
  const std::string id = caller + '\n' + key;
  auto it = m_entries.find(id);
  if (it != m_entries.end() && now - it->second.stored > m_ttl) {
    m_entries.erase(it);
    it = m_entries.end();
  }
  if (it == m_entries.end()) {
    if (m_entries.size() >= m_capacity) expire(now);
    m_entries.emplace(id, Entry{body_hash, false, {}, now});
    return {};
  }
  if (it->second.body_hash != body_hash) return {Outcome::conflict, {}};
  if (!it->second.done) return {Outcome::in_progress, {}};
  return {Outcome::replay, it->second.reply};
}

void IdempotencyStore::remember(const std::string& caller, const std::string& key, const Reply& reply) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_entries.find(caller + '\n' + key); it != m_entries.end()) {
    it->second.done = true;
    it->second.reply = reply;
  }
}

void IdempotencyStore::forget(const std::string& caller, const std::string& key) {
  std::lock_guard lock(m_mutex);
  m_entries.erase(caller + '\n' + key);
}

}  // namespace plumb::api
