#pragma once
// Internal to plumb_api: what route handlers share. Not part of the public interface.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "api/auth.hpp"
#include "api/config.hpp"
#include "api/connection_guard.hpp"
#include "api/cursor.hpp"
#include "api/db_pool.hpp"
#include "api/hooks.hpp"
#include "api/idempotency.hpp"
#include "api/metrics.hpp"
#include "api/rate_limiter.hpp"
#include "api/router.hpp"
#include "api/store_hooks.hpp"

namespace httplib {
struct Request;
struct Response;
}

namespace plumb::api {

class HttpServer;

// A cached response body with its ETag, fresh until `until`. While one request recomputes an
// expired entry (`refreshing`), the others are answered from the stale copy, so an expiry never
// sends every worker to the database at once.
struct CachedBody {
  std::string body;
  std::string etag;
  std::chrono::steady_clock::time_point until;
  bool refreshing = false;
};

struct ServerState {
  ServerState(ApiConfig cfg, ControllerHooks controller_hooks, StoreHooks store_hooks);
  ~ServerState();

  ApiConfig config;
  ControllerHooks hooks;
  StoreHooks store;
  Metrics metrics;
  Router router;
  CursorCodec cursors;
  RateLimiter token_limiter;
  RateLimiter auth_failure_limiter;
  IdempotencyStore idempotency;
  ConnectionGuard guard;
  DbPool primary_pool;
  std::unique_ptr<DbPool> read_pool_storage;  // only with a read replica URL
  DbPool& read_pool;
  Authenticator authenticator;
  std::string openapi;  // JSON, filled by start()

  std::mutex drift_cache_mutex;
  std::condition_variable drift_cache_filled;  // a first computation of some key finished
  std::unordered_map<std::string, CachedBody> drift_cache;  // by scope + query
  std::uint64_t drift_cache_generation = 0;  // bumped by each invalidation (drift_cache_mutex)

  std::unique_ptr<HttpServer> http;
  std::thread listener;
  std::atomic<int> bound_port{0};
  bool started = false;
  bool stopped = false;

  // Routes one request end to end: correlation id, routing, auth, limits, handler, envelope.
  void handle(const httplib::Request& req, httplib::Response& res);
};

// Route registration, one function per area (routes_*.cpp).
void add_state_routes(ServerState& state);
void add_ops_routes(ServerState& state);
void add_write_routes(ServerState& state);

}  // namespace plumb::api
