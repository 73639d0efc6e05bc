#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"

namespace plumb::store {

Result<std::string> Store::reveal_token(const std::string& tenant, const std::string& name,
                                        const std::string& actor, const std::string& correlation_id,
                                        const std::string& actor_type) {
  if (m_impl->options.read_only) return tl::unexpected(detail::read_only_refusal("reveal a token"));
  if (actor_type != "api" && actor_type != "cli") {
    return make_error(ErrorKind::terminal, "INVALID_ACTOR_TYPE", "reveal actor_type must be api or cli");
  }
  return detail::guarded("reveal the token", [&]() -> Result<std::string> {
    pqxx::work tx(*m_impl->conn);
    // Our own write: audited below, and it changes no spec, so the revision does not move.
    tx.exec(
        "SELECT set_config('plumb.sync_run', 'reveal', true), set_config('plumb.skip_revision', 'on', true)");
    const auto rows = tx.exec_params(
        m_impl->q("SELECT encode(pending_secret, 'hex'), revealed_at IS NOT NULL FROM @schema@.api_tokens "
                  "WHERE tenant = $1 AND name = $2 FOR UPDATE"),
        tenant, name);
    const std::string what = "token " + tenant + "/" + name;
    if (rows.empty()) return make_error(ErrorKind::terminal, "TOKEN_NOT_FOUND", what + " does not exist");
    if (rows[0][0].is_null()) {
      return make_error(ErrorKind::conflict, "TOKEN_ALREADY_REVEALED",
                        what +
                            " has no secret awaiting reveal: it was already revealed (bump spec.rotation to "
                            "mint a new one)");
    }
    std::string sealed, secret;
    if (!crypto::from_hex(rows[0][0].c_str(), sealed) ||
        !crypto::decrypt(m_impl->keys.seal_key, sealed, secret)) {
      return make_error(ErrorKind::terminal, "TOKEN_KEY_MISMATCH",
                        what + " cannot be unsealed with the configured token key (was the key changed?)");
    }
    tx.exec_params(m_impl->q("UPDATE @schema@.api_tokens SET pending_secret = NULL, revealed_at = now() "
                             "WHERE tenant = $1 AND name = $2"),
                   tenant, name);
    tx.exec_params(
        m_impl->q("INSERT INTO @schema@.audit_log (actor, actor_type, action, kind, tenant, name, diff, "
                  "correlation_id, prev_hash, hash) VALUES ($1, $2, 'token.reveal', 'ApiToken', $3, $4, "
                  "'{}', $5, '', '')"),
        actor, actor_type, tenant, name, correlation_id);
    tx.commit();
    return secret;
  });
}

Result<std::optional<TokenIdentity>> Store::authenticate_token(const std::string& plaintext) {
  if (m_impl->options.read_only) return tl::unexpected(detail::read_only_refusal("authenticate a token"));
  if (!token_format::is_valid(plaintext)) return std::optional<TokenIdentity>{};
  return detail::guarded("authenticate the token", [&]() -> Result<std::optional<TokenIdentity>> {
    pqxx::nontransaction tx(*m_impl->conn);
    const std::string hash = crypto::hmac_sha256_hex(m_impl->keys.hmac_key, plaintext);
    const auto rows = tx.exec_params(
        m_impl->q(
            "SELECT t.tenant, t.name, t.role, @schema@.rfc3339(t.expires_at) FROM @schema@.api_tokens t "
            "JOIN @schema@.tenants n ON n.name = t.tenant AND n.deleted_at IS NULL AND n.status = 'active' "
            "WHERE t.secret_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > now())"),
        hash);
    if (rows.empty()) return std::optional<TokenIdentity>{};
    TokenIdentity id{rows[0][0].c_str(), rows[0][1].c_str(), rows[0][2].c_str(), std::nullopt};
    if (!rows[0][3].is_null()) id.expires_at = rows[0][3].c_str();
    return std::optional<TokenIdentity>{std::move(id)};
  });
}

}  // namespace plumb::store
