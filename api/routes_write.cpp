// The few write routes: trigger a pass, Git webhooks, one-time token reveal.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "api/route_helpers.hpp"
#include "api/webhook.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::api {
namespace {

constexpr std::size_t k_max_idempotency_key = 255;

Reply trigger_pass(ServerState& s, TriggerRequest request) {
  if (!s.hooks.trigger) return error_reply(503, "CONTROLLER_UNAVAILABLE", "no controller is attached to this API server");
  auto id = s.hooks.trigger(request);
  if (!id) {
    const int status = id.error().kind == ErrorKind::conflict ? 409 : 503;
    return error_reply(status, id.error().code.empty() ? "TRIGGER_FAILED" : id.error().code, id.error().message);
  }
  return json_reply(202, {{"status", "accepted"}, {"requestId", *id}, {"reason", request.reason},
                          {"correlationId", request.correlation_id}});
}

Reply post_sync(ServerState& s, const RequestContext& ctx) {
  const std::string& body = ctx.request.body;
  std::string reason = "api";
  if (!body.empty()) {
    const Json parsed = Json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return error_reply(400, "INVALID_BODY", "the body must be a JSON object");
    for (const auto& [key, value] : parsed.items()) {
      if (key != "reason") return error_reply(422, "UNKNOWN_FIELD", "unknown field \"" + key + "\"");
      if (!value.is_string() || value.get<std::string>().size() > 200) {
        return error_reply(422, "INVALID_FIELD", "reason must be a string of at most 200 characters");
      }
      reason = "api: " + value.get<std::string>();
    }
  }
  const std::string key = ctx.request.get_header_value("Idempotency-Key");
  if (key.size() > k_max_idempotency_key) return error_reply(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key is longer than 255 characters");
  const std::string body_hash = crypto::sha256_hex(body);
  if (!key.empty()) {
    auto seen = s.idempotency.begin(ctx.principal.rate_key, key, body_hash);
    if (seen.outcome == IdempotencyStore::Outcome::conflict) {
      return error_reply(422, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different body");
    }
    if (seen.outcome == IdempotencyStore::Outcome::in_progress) {
      return error_reply(409, "IDEMPOTENCY_KEY_IN_PROGRESS", "a request with this Idempotency-Key is still running");
    }
    if (seen.outcome == IdempotencyStore::Outcome::replay) {
      seen.reply.headers.emplace_back("X-Idempotency-Replayed", "true");
      return seen.reply;
    }
  }
  Reply reply = trigger_pass(s, TriggerRequest{"api", reason, ctx.principal.actor(), ctx.correlation_id, ""});
  // Only accepted requests are remembered: a failure may be retried with the same key.
  if (!key.empty()) {
    if (reply.status == 202) {
      s.idempotency.remember(ctx.principal.rate_key, key, reply);
    } else {
      s.idempotency.forget(ctx.principal.rate_key, key);
    }
  }
  return reply;
}

Reply post_webhook(ServerState& s, const RequestContext& ctx) {
  if (s.config.webhook_secret.empty()) return error_reply(503, "WEBHOOKS_DISABLED", "no webhook secret is configured");
  const std::string& address = ctx.request.remote_addr;
  if (const long wait = s.auth_failure_limiter.peek(address); wait > 0) {
    Reply reply = error_reply(429, "RATE_LIMITED", "too many failed webhook deliveries from this address");
    reply.headers.emplace_back("Retry-After", std::to_string(wait));
    return reply;
  }
  const WebhookHeaders headers{ctx.request.get_header_value("X-Hub-Signature-256"),
                               ctx.request.get_header_value("X-Gitea-Signature"),
                               ctx.request.get_header_value("X-Gitlab-Token")};
  // Authenticate the raw bytes before parsing anything in them.
  if (!verify_webhook(headers, s.config.webhook_secret, ctx.request.body)) {
    s.auth_failure_limiter.acquire(address);
    const bool missing = webhook_provider(headers) == WebhookProvider::none;
    return error_reply(401, missing ? "SIGNATURE_MISSING" : "SIGNATURE_INVALID",
                       missing ? "no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header"
                               : "the webhook signature does not match");
  }
  const Json event = Json::parse(ctx.request.body, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return error_reply(400, "INVALID_BODY", "the webhook body is not a JSON object");
  const std::string ref = event.contains("ref") && event["ref"].is_string() ? event["ref"].get<std::string>() : "";
  if (!ref_matches(ref, s.config.tracked_ref)) {
    return json_reply(200, {{"triggered", false}, {"reason", "not a push to the tracked ref"}});
  }
  std::string commit = event.contains("after") && event["after"].is_string() ? event["after"].get<std::string>() : "";
  if (commit.size() > 64) commit.clear();
  const auto provider = webhook_provider(headers);
  const char* name = provider == WebhookProvider::github ? "github" : provider == WebhookProvider::gitea ? "gitea" : "gitlab";
  Reply reply = trigger_pass(s, TriggerRequest{"webhook", std::string("webhook:") + name, "webhook:" + std::string(name),
                                               ctx.correlation_id, commit});
  if (reply.status == 202) {
    Json body = Json::parse(reply.body);
    body["triggered"] = true;
    return json_reply(202, body);
  }
  return reply;
}

Reply store_failure(const Error& error) {
  if (error.code.find("NOT_FOUND") != std::string::npos) return error_reply(404, "RESOURCE_NOT_FOUND", error.message);
  if (error.kind == ErrorKind::conflict) return error_reply(409, error.code.empty() ? "CONFLICT" : error.code, error.message);
  if (error.kind == ErrorKind::transient) return error_reply(503, "DB_UNAVAILABLE", error.message);
  spdlog::error("api: store: {}: {}", error.code, error.message);
  return error_reply(500, "INTERNAL", "the store failed; quote the correlation id when reporting it");
}

Reply reveal(ServerState& s, const RequestContext& ctx) {
  if (!s.store.reveal_token) return error_reply(503, "STORE_UNAVAILABLE", "token reveal is not wired into this server");
  auto secret = s.store.reveal_token(RevealRequest{ctx.params[0], ctx.params[1], ctx.principal.actor(), ctx.correlation_id});
  if (!secret) return store_failure(secret.error());
  Reply reply = json_reply(200, {{"tenant", ctx.params[0]}, {"name", ctx.params[1]}, {"token", *secret}});
  reply.headers.emplace_back("Cache-Control", "no-store");
  return reply;
}

Reply verify(ServerState& s) {
  if (!s.store.verify_audit) return error_reply(503, "STORE_UNAVAILABLE", "audit verification is not wired into this server");
  auto verdict = s.store.verify_audit();
  if (!verdict) return store_failure(verdict.error());
  Json body = {{"intact", verdict->intact}, {"checked", verdict->checked}, {"firstBadId", nullptr},
               {"message", verdict->message}};
  if (verdict->first_bad_id) body["firstBadId"] = *verdict->first_bad_id;
  return json_reply(200, body);
}

}  // namespace

void add_write_routes(ServerState& s) {
  Route reveal_route;
  reveal_route.method = "POST";
  reveal_route.path = "/v1/tenants/{tenant}/tokens/{token}/reveal";
  reveal_route.permission = Permission{"tokens", "reveal"};
  reveal_route.tenant_scoped = true;
  reveal_route.handler = [&s](const RequestContext& c) { return reveal(s, c); };
  s.router.add(std::move(reveal_route));

  Route verify_route;
  verify_route.method = "GET";
  verify_route.path = "/v1/audit/verify";
  verify_route.permission = Permission{"audit", "read"};
  verify_route.handler = [&s](const RequestContext&) { return verify(s); };
  s.router.add(std::move(verify_route));

  Route sync;
  sync.method = "POST";
  sync.path = "/v1/syncs";
  sync.permission = Permission{"syncs", "trigger"};
  sync.handler = [&s](const RequestContext& c) { return post_sync(s, c); };
  s.router.add(std::move(sync));

  Route webhook;
  webhook.method = "POST";
  webhook.path = "/v1/webhooks/git";
  webhook.authenticated = false;  // authenticated by the delivery's signature instead
  webhook.handler = [&s](const RequestContext& c) { return post_webhook(s, c); };
  s.router.add(std::move(webhook));
}

}  // namespace plumb::api
