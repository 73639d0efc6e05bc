#include "api/auth.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"

namespace plumb::api {
namespace {
constexpr auto k_cache_ttl = std::chrono::seconds(2);
constexpr std::size_t k_cache_max = 4096;

// One row per live token with this hash: its tenant must be active, expiry is judged by the
// database clock, and a custom role's permissions come along (built-ins are resolved in C++).
constexpr const char* k_lookup_sql = R"SQL(
SELECT t.tenant, t.name, t.role,
       (t.expires_at IS NOT NULL AND t.expires_at <= now()) AS expired,
       COALESCE(array_to_json(r.permissions)::text, '[]') AS permissions,
       GREATEST(0, EXTRACT(EPOCH FROM (t.expires_at - now())))::float8 AS seconds_left
FROM api_tokens t
JOIN tenants tn ON tn.name = t.tenant AND tn.deleted_at IS NULL AND tn.status = 'active'
LEFT JOIN roles r ON r.tenant = t.tenant AND r.name = t.role
WHERE t.secret_hash = $1
)SQL";
}  // namespace

Authenticator::Authenticator(std::string admin_token, std::string token_key, DbPool& pool)
    : m_admin_token(std::move(admin_token)), m_token_key(std::move(token_key)), m_pool(pool) {}

std::string Authenticator::secret_hash(const std::string& token_key, const std::string& secret) {
  // Same derivation as reconciler/store (detail::derive_token_keys): a per-purpose key, so the
  // hash key never doubles as the key that seals secrets awaiting reveal.
  return crypto::hmac_sha256_hex(crypto::hmac_sha256_raw(token_key, "plumb token hash v1"), secret);
}

Result<std::optional<Principal>> Authenticator::authenticate(const std::string& secret) {
  if (secret.size() > 512) return std::optional<Principal>{};
  if (!m_admin_token.empty() && crypto::constant_time_equal(crypto::sha256_raw(secret), crypto::sha256_raw(m_admin_token))) {
    Principal admin;
    admin.admin = true;
    admin.role = "operator";
    admin.grants = {"*:*"};
    admin.rate_key = "admin";
    return admin;
  }
  if (!token_format::is_valid(secret)) return std::optional<Principal>{};
  const std::string cache_key = crypto::sha256_raw(secret);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(m_mutex);
    if (auto it = m_cache.find(cache_key); it != m_cache.end() && now < it->second.until) return it->second.principal;
  }
  double seconds_left = -1;
  auto found = lookup(secret, seconds_left);
  if (found && *found) {
    // Never cache past the token's expiry (as the database clock put it).
    auto ttl = std::chrono::duration_cast<std::chrono::steady_clock::duration>(k_cache_ttl);
    if (seconds_left >= 0) ttl = std::min(ttl, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                   std::chrono::duration<double>(seconds_left)));
    std::lock_guard lock(m_mutex);
    if (m_cache.size() >= k_cache_max) m_cache.clear();
    m_cache[cache_key] = Cached{**found, now + ttl};
  }
  return found;
}

Result<std::optional<Principal>> Authenticator::lookup(const std::string& secret, double& seconds_left) {
  std::optional<Principal> principal;
  std::string key;
  {
    std::lock_guard lock(m_mutex);
    key = m_token_key;
  }
  auto done = m_pool.with_connection([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    if (key.empty()) {
      const pqxx::result stored = tx.exec("SELECT encode(value, 'hex') FROM server_secrets WHERE name = 'token_key'");
      if (stored.empty() || !crypto::from_hex(stored[0][0].as<std::string>(), key) || key.empty()) return;
      std::lock_guard lock(m_mutex);
      m_token_key = key;
    }
    const std::string hash = secret_hash(key, secret);
    const pqxx::result rows = tx.exec_params(k_lookup_sql, hash);
    if (rows.size() != 1 || rows[0]["expired"].as<bool>()) return;
    Principal p;
    p.tenant = rows[0]["tenant"].as<std::string>();
    p.token_name = rows[0]["name"].as<std::string>();
    p.role = rows[0]["role"].as<std::string>();
    p.grants = builtin_grants(p.role);
    if (p.grants.empty()) {
      for (const auto& grant : nlohmann::json::parse(rows[0]["permissions"].as<std::string>())) {
        if (grant.is_string()) p.grants.push_back(grant.get<std::string>());
      }
    }
    if (p.role == "owner") p.grants.clear();  // never assignable to a token: grant nothing
    p.rate_key = "token:" + p.tenant + "/" + p.token_name;
    if (!rows[0]["seconds_left"].is_null()) seconds_left = rows[0]["seconds_left"].as<double>();
    principal = std::move(p);
  });
  if (!done) return tl::unexpected(done.error());
  return principal;
}

}  // namespace plumb::api
