#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace plumb::api {

// Everything the REST server needs, filled by the CLI (`plumb run`, `plumb dev`) from flags and
// environment. Secrets (admin token, webhook secret, server key) arrive as values, not paths.
struct ApiConfig {
  std::string host = "127.0.0.1";
  int port = 8080;                       // 0 = ephemeral (tests); see Server::port()
  std::string database_url;              // primary: reveal (writes + audit row) and auth
  std::string read_database_url;         // optional read replica for listing routes
  std::string schema = "plumb";          // PostgreSQL schema holding plumb's tables
  std::string admin_token;               // operator token (from --admin-token-file); "" = none
  std::string webhook_secret;            // shared secret of Git webhooks; "" = webhooks disabled
  std::string tracked_ref = "refs/heads/main";  // a push to this ref triggers a pass
  std::string server_key;                // HMAC key for cursors; "" = random per start (cursors die with it)
  std::string token_key;                 // raw token key, as store::StoreOptions::token_key; "" = the
                                         // key `plumb migrate` stored in <schema>.server_secrets
  std::size_t threads = 32;              // worker threads (each keep-alive connection holds one)
  std::size_t db_pool_size = 8;          // PostgreSQL connections shared by requests
  std::size_t rate_limit_per_minute = 100;       // per bearer token
  std::size_t auth_failures_per_minute = 20;     // per client address
  std::size_t max_body_bytes = 1 << 20;          // request bodies (413 past it)
  std::size_t keep_alive_max_count = 100;
  std::chrono::seconds keep_alive_timeout{5};
  std::chrono::seconds read_timeout{5};          // per socket read
  std::chrono::seconds write_timeout{5};
  std::chrono::milliseconds request_deadline{10000};  // whole request (headers+body) must arrive in this; 0 = unchecked
  std::chrono::milliseconds drift_cache_ttl{500};     // cached GET /v1/drift responses
  std::chrono::seconds db_acquire_timeout{5};         // waiting for a pooled connection -> 503
};

}  // namespace plumb::api
