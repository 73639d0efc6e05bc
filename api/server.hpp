#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/config.hpp"
#include "api/hooks.hpp"
#include "api/metrics.hpp"
#include "api/store_hooks.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::api {

struct ServerState;

// The REST API of DESIGN §5 on cpp-httplib. Construct with a config, the controller's hooks and
// the store's write hooks, then start(); the server runs on its own threads until stop().
class Server {
 public:
  explicit Server(ApiConfig config, ControllerHooks hooks = {}, StoreHooks store = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving in the background. Fails (terminal) if the address is taken or
  // invalid, or if the embedded OpenAPI document is malformed. Not restartable after stop().
  Result<void> start();

  // Stops accepting, finishes in-flight requests, joins threads. Idempotent.
  void stop();

  // The bound port (useful with port 0); 0 before start().
  int port() const;

  // Where the controller reports pass durations, drift counts and apply counts (see metrics.hpp).
  Metrics& metrics();

  // Drops cached responses (drift summary): call after a pass or a NOTIFY changed drift.
  void invalidate_caches();

  // (method, path template) of every route the server answers, in registration order.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  std::unique_ptr<ServerState> m_state;
};

}  // namespace plumb::api
