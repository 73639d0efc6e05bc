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

IdempotencyStore::Lookup IdempotencyStore::find(const std::string& caller, const std::string& key,
                                                const std::string& body_hash) {
  std::lock_guard lock(m_mutex);
  const auto it = m_entries.find(caller + '\n' + key);
  if (it == m_entries.end() || Clock::now() - it->second.stored > m_ttl) return {};
  if (it->second.body_hash != body_hash) return {Outcome::conflict, {}};
  return {Outcome::replay, it->second.reply};
}

void IdempotencyStore::remember(const std::string& caller, const std::string& key, const std::string& body_hash,
                                const Reply& reply) {
  std::lock_guard lock(m_mutex);
  const auto now = Clock::now();
  if (m_entries.size() >= m_capacity) expire(now);
  m_entries.insert_or_assign(caller + '\n' + key, Entry{body_hash, reply, now});
}

}  // namespace plumb::api
