#include "api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace plumb::api {
namespace {
constexpr std::size_t k_sweep_threshold = 10000;
}

RateLimiter::RateLimiter(std::size_t per_minute)
    : m_capacity(static_cast<double>(std::max<std::size_t>(per_minute, 1))),
      m_per_second(m_capacity / 60.0) {}

RateLimiter::Bucket& RateLimiter::refill(const std::string& key, Clock::time_point now) {
  auto [it, inserted] = m_buckets.try_emplace(key);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = m_capacity;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(m_capacity, bucket.tokens + std::max(0.0, elapsed) * m_per_second);
  }
  bucket.updated = now;
  return bucket;
}

long RateLimiter::wait_seconds(const Bucket& bucket) const {
  if (bucket.tokens >= 1.0) return 0;
  return std::max(1L, static_cast<long>(std::ceil((1.0 - bucket.tokens) / m_per_second)));
}

void RateLimiter::sweep(Clock::time_point now) {
  // Buckets that have refilled completely carry no state worth keeping.
  for (auto it = m_buckets.begin(); it != m_buckets.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    if (it->second.tokens + elapsed * m_per_second >= m_capacity) {
      it = m_buckets.erase(it);
    } else {
      ++it;
    }
  }
}

long RateLimiter::acquire(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(m_mutex);
  if (m_buckets.size() > k_sweep_threshold) sweep(now);
  Bucket& bucket = refill(key, now);
  const long wait = wait_seconds(bucket);
  if (wait == 0) bucket.tokens -= 1.0;
  return wait;
}

long RateLimiter::peek(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(m_mutex);
  const auto it = m_buckets.find(key);
  if (it == m_buckets.end()) return 0;
  return wait_seconds(refill(key, now));
}

}  // namespace plumb::api
