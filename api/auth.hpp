#pragma once
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/db_pool.hpp"
#include "api/permissions.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::api {

// Resolves a bearer secret to a Principal: the operator admin token (constant-time compare) or a
// plumb ApiToken found by its keyed hash, not expired by the database clock, with its role's
// grants. Valid lookups are cached for a couple of seconds so polling clients do not hit the
// database on every request.
class Authenticator {
 public:
  // `token_key` is the store's raw token key; "" = read <schema>.server_secrets on first use.
  Authenticator(std::string admin_token, std::string token_key, DbPool& pool);

  // nullopt: unknown, malformed or expired secret (the caller answers 401). Error: database down.
  Result<std::optional<Principal>> authenticate(const std::string& secret);

  // The lookup hash the store keeps in api_tokens.secret_hash for `secret`: hex HMAC-SHA256
  // under a key derived from the token key (the store's derivation, "plumb token hash v1").
  static std::string secret_hash(const std::string& token_key, const std::string& secret);

 private:
  // `seconds_left` receives the seconds until expiry, or stays negative for a token without one.
  Result<std::optional<Principal>> lookup(const std::string& secret, double& seconds_left);

  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point until;
  };
  std::string m_admin_token;
  std::string m_token_key;  // raw; loaded lazily when configured empty
  DbPool& m_pool;
  std::mutex m_mutex;
  std::unordered_map<std::string, Cached> m_cache;  // by SHA-256 of the secret
};

}  // namespace plumb::api
