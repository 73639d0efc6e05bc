#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace plumb::api {

// Token buckets keyed by an identity (a token's hash, a client address): `per_minute` requests a
// minute with bursts up to `per_minute`. Thread-safe; memory is bounded by sweeping full buckets.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(std::size_t per_minute);

  // Takes one unit for `key`. Returns 0 if allowed, else the whole seconds to wait (>= 1).
  long acquire(const std::string& key, Clock::time_point now = Clock::now());

  // Seconds until `key` has a unit again without taking one (0 = would be allowed).
  long peek(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  Bucket& refill(const std::string& key, Clock::time_point now);
  long wait_seconds(const Bucket& bucket) const;
  void sweep(Clock::time_point now);

  double m_capacity;
  double m_per_second;
  std::mutex m_mutex;
  std::unordered_map<std::string, Bucket> m_buckets;
};

}  // namespace plumb::api
