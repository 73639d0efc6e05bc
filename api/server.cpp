#include "api/server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "api/openapi.hpp"
#include "api/server_state.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::api {

// cpp-httplib's server; a named type so server_state.hpp can hold it without including httplib.
class HttpServer : public httplib::Server {
 public:
  // cpp-httplib listens with a backlog of 5: when keep-alive connections are recycled together
  // the queue overflows, SYNs are dropped and clients wait a 1 s retransmission. listen() again
  // on the bound socket raises it.
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

namespace {

constexpr int k_listen_backlog = 1024;

std::string effective_key(const std::string& key) { return key.empty() ? crypto::random_bytes(32) : key; }

std::string default_error_code(int status) {
  switch (status) {
    case 400: return "BAD_REQUEST";
    case 404: return "ROUTE_NOT_FOUND";
    case 405: return "METHOD_NOT_ALLOWED";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 414: return "URI_TOO_LONG";
    case 431: return "HEADERS_TOO_LARGE";
    case 503: return "UNAVAILABLE";
    default: return status >= 500 ? "INTERNAL" : "BAD_REQUEST";
  }
}

// Our catch-all handlers answer every path; this handler gives the envelope to errors the
// library produces itself (unparsable request, oversized body or URI, handler exceptions).
httplib::Server::HandlerResponse library_error(const httplib::Request& req, httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  const std::string cid = correlation_id_for(req.get_header_value("X-Correlation-Id"));
  res.set_header("X-Correlation-Id", cid);
  ApiError error{default_error_code(res.status), "the request could not be processed (HTTP " +
                                                     std::to_string(res.status) + ")"};
  res.set_content(render_error(error, cid), "application/json");
  return httplib::Server::HandlerResponse::Handled;
}

void configure(httplib::Server& http, const ApiConfig& config) {
  const std::size_t threads = config.threads == 0 ? 1 : config.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(config.keep_alive_max_count);
  http.set_keep_alive_timeout(config.keep_alive_timeout.count());
  http.set_read_timeout(config.read_timeout.count());
  http.set_write_timeout(config.write_timeout.count());
  http.set_payload_max_length(config.max_body_bytes);
  // Replaces the library default, which also sets SO_REUSEPORT: with it a second server on the
  // same port would start silently and share the traffic. Without it a port clash is an error.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    int no = 0;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &no, sizeof no);
  });
}

}  // namespace

ServerState::ServerState(ApiConfig cfg, ControllerHooks controller_hooks, StoreHooks store_hooks)
    : config([&] {
        cfg.server_key = effective_key(cfg.server_key);
        return std::move(cfg);
      }()),
      hooks(std::move(controller_hooks)),
      store(std::move(store_hooks)),
      cursors(config.server_key),
      token_limiter(config.rate_limit_per_minute),
      auth_failure_limiter(config.auth_failures_per_minute),
      guard(config.request_deadline),
      primary_pool(config.database_url, config.schema, config.db_pool_size, config.db_acquire_timeout),
      read_pool_storage(config.read_database_url.empty()
                            ? nullptr
                            : std::make_unique<DbPool>(config.read_database_url, config.schema, config.db_pool_size,
                                                       config.db_acquire_timeout)),
      read_pool(read_pool_storage ? *read_pool_storage : primary_pool),
      authenticator(config.admin_token, config.token_key, primary_pool) {}

ServerState::~ServerState() = default;

Server::Server(ApiConfig config, ControllerHooks hooks, StoreHooks store)
    : m_state(std::make_unique<ServerState>(std::move(config), std::move(hooks), std::move(store))) {
  add_state_routes(*m_state);
  add_ops_routes(*m_state);
  add_write_routes(*m_state);
}

Server::~Server() { stop(); }

Result<void> Server::start() {
  ServerState& s = *m_state;
  if (s.started) return make_error(ErrorKind::terminal, "API_ALREADY_STARTED", "the API server was already started");
  auto doc = openapi_json();
  if (!doc) return tl::unexpected(doc.error());
  s.openapi = std::move(*doc);

  s.http = std::make_unique<HttpServer>();
  configure(*s.http, s.config);
  const auto handler = [&s](const httplib::Request& req, httplib::Response& res) { s.handle(req, res); };
  s.http->Get(".*", handler).Post(".*", handler).Put(".*", handler).Patch(".*", handler);
  s.http->Delete(".*", handler).Options(".*", handler);
  s.http->set_error_handler(httplib::Server::HandlerWithResponse(library_error));
  s.http->set_logger([&s](const httplib::Request& req, const httplib::Response&) {
    s.guard.answered(req.remote_addr + ":" + std::to_string(req.remote_port));
  });

  const bool bound = s.config.port == 0 ? (s.bound_port = s.http->bind_to_any_port(s.config.host)) > 0
                                        : s.http->bind_to_port(s.config.host, s.config.port);
  if (!bound) {
    return make_error(ErrorKind::terminal, "API_BIND_FAILED",
                      "cannot listen on " + s.config.host + ":" + std::to_string(s.config.port) +
                          " (address in use or invalid)");
  }
  if (s.config.port != 0) s.bound_port = s.config.port;
  s.http->raise_backlog(k_listen_backlog);
  s.started = true;
  if (s.config.request_deadline.count() > 0) s.guard.start(s.bound_port.load());
  s.listener = std::thread([&s] { s.http->listen_after_bind(); });
  spdlog::info("api: listening on {}:{}", s.config.host, s.bound_port.load());
  return {};
}

void Server::stop() {
  ServerState& s = *m_state;
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.http->stop();
  if (s.listener.joinable()) s.listener.join();
  s.guard.stop();
}

int Server::port() const { return m_state->bound_port.load(); }

Metrics& Server::metrics() { return m_state->metrics; }

void Server::invalidate_caches() {
  std::lock_guard lock(m_state->drift_cache_mutex);
  m_state->drift_cache.clear();
  ++m_state->drift_cache_generation;
}

std::vector<std::pair<std::string, std::string>> Server::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& route : m_state->router.routes()) out.emplace_back(route.method, route.path);
  return out;
}

}  // namespace plumb::api
