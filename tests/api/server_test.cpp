// The API server without a database: routing, envelope, auth, limits, webhooks, the OpenAPI
// document, and connection hygiene. Routes over PostgreSQL are in db_routes_test.cpp.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "api/openapi.hpp"
#include "reconciler/util/crypto.hpp"
#include "tests/api/http_support.hpp"

using namespace plumb::api;
using namespace plumb::api::testing;

namespace {

void check_envelope(const httplib::Result& res, int status, const std::string& code) {
  REQUIRE(res);
  CHECK(res->status == status);
  const Json body = body_json(res);
  REQUIRE(body.is_object());
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["message"].is_string());
  CHECK(body["error"]["timestamp"].get<std::string>().size() == 24);
  CHECK(body["error"]["correlationId"] == res->get_header_value("X-Correlation-Id"));
  CHECK_FALSE(res->get_header_value("X-Correlation-Id").empty());
}

ControllerHooks counting_hooks(std::atomic<int>& count) {
  ControllerHooks hooks;
  hooks.trigger = [&count](const TriggerRequest&) -> plumb::Result<std::string> {
    return "pass-" + std::to_string(++count);
  };
  return hooks;
}

}  // namespace

TEST_CASE("an unknown route is a 404 in the error envelope", "[api][errors]") {
  auto server = start(test_config());
  auto res = client(*server)->Get("/v1/nope", bearer(k_admin));
  check_envelope(res, 404, "ROUTE_NOT_FOUND");
  check_envelope(client(*server)->Get("/"), 404, "ROUTE_NOT_FOUND");
  check_envelope(client(*server)->Get("/v1/tenants/"), 404, "ROUTE_NOT_FOUND");
}

TEST_CASE("a known path with another method is a 405 naming the allowed methods", "[api][errors]") {
  auto server = start(test_config());
  auto res = client(*server)->Delete("/v1/tenants/acme", bearer(k_admin));
  check_envelope(res, 405, "METHOD_NOT_ALLOWED");
  CHECK(res->get_header_value("Allow") == "GET");
  auto put = client(*server)->Put("/v1/syncs", bearer(k_admin), "{}", "application/json");
  check_envelope(put, 405, "METHOD_NOT_ALLOWED");
  CHECK(put->get_header_value("Allow").find("POST") != std::string::npos);
}

TEST_CASE("a valid correlation id is echoed and an invalid one replaced", "[api][errors]") {
  auto server = start(test_config());
  auto cli = client(*server);
  auto ok = cli->Get("/healthz", {{"X-Correlation-Id", "req-12345678"}});
  REQUIRE(ok);
  CHECK(ok->get_header_value("X-Correlation-Id") == "req-12345678");
  auto bad = cli->Get("/healthz", {{"X-Correlation-Id", "bad id!"}});
  REQUIRE(bad);
  CHECK(bad->get_header_value("X-Correlation-Id") != "bad id!");
  CHECK(bad->get_header_value("X-Correlation-Id").size() >= 8);
}

TEST_CASE("requests without a valid bearer token are 401", "[api][auth]") {
  auto server = start(test_config());
  auto cli = client(*server);
  check_envelope(cli->Get("/v1/drift"), 401, "UNAUTHENTICATED");
  check_envelope(cli->Get("/v1/drift", {{"Authorization", "Basic " + k_admin}}), 401, "UNAUTHENTICATED");
  check_envelope(cli->Get("/v1/drift", bearer("wrong-token")), 401, "UNAUTHENTICATED");
  auto res = cli->Get("/v1/drift", bearer(k_admin + "x"));
  check_envelope(res, 401, "UNAUTHENTICATED");
  CHECK(res->get_header_value("WWW-Authenticate") == "Bearer");
}

TEST_CASE("credentials in the query string are refused", "[api][auth]") {
  auto server = start(test_config());
  auto cli = client(*server);
  check_envelope(cli->Get("/v1/drift?access_token=" + k_admin), 400, "TOKEN_IN_QUERY");
  check_envelope(cli->Get("/v1/drift?token=x", bearer(k_admin)), 400, "TOKEN_IN_QUERY");
  const std::string shaped = "plb_" + std::string(38, 'a');
  check_envelope(cli->Get("/v1/drift?kind=" + shaped, bearer(k_admin)), 400, "TOKEN_IN_QUERY");
  check_envelope(cli->Get("/v1/drift?key=" + k_admin), 400, "TOKEN_IN_QUERY");
}

TEST_CASE("repeated authentication failures from one address are rate limited", "[api][auth][ratelimit]") {
  ApiConfig config = test_config();
  config.auth_failures_per_minute = 3;
  auto server = start(config);
  auto cli = client(*server);
  for (int i = 0; i < 3; ++i) check_envelope(cli->Get("/v1/drift", bearer("nope")), 401, "UNAUTHENTICATED");
  auto limited = cli->Get("/v1/drift", bearer(k_admin));
  check_envelope(limited, 429, "RATE_LIMITED");
  CHECK(std::stoi(limited->get_header_value("Retry-After")) >= 1);
}

TEST_CASE("each token is rate limited with 429 and Retry-After", "[api][ratelimit]") {
  ApiConfig config = test_config();
  config.rate_limit_per_minute = 5;
  std::atomic<int> count{0};
  auto server = start(config, counting_hooks(count));
  auto cli = client(*server);
  for (int i = 0; i < 5; ++i) {
    auto res = cli->Post("/v1/syncs", bearer(k_admin), "", "application/json");
    REQUIRE(res);
    CHECK(res->status == 202);
  }
  auto limited = cli->Post("/v1/syncs", bearer(k_admin), "", "application/json");
  check_envelope(limited, 429, "RATE_LIMITED");
  CHECK(std::stoi(limited->get_header_value("Retry-After")) >= 1);
  CHECK(count == 5);
}

TEST_CASE("POST /v1/syncs triggers a pass and honours Idempotency-Key", "[api][syncs]") {
  std::atomic<int> count{0};
  auto server = start(test_config(), counting_hooks(count));
  auto cli = client(*server);
  auto first = cli->Post("/v1/syncs", bearer(k_admin, {{"Idempotency-Key", "k-1"}}), R"({"reason":"deploy"})",
                         "application/json");
  REQUIRE(first);
  CHECK(first->status == 202);
  CHECK(body_json(first)["requestId"] == "pass-1");
  auto replay = cli->Post("/v1/syncs", bearer(k_admin, {{"Idempotency-Key", "k-1"}}), R"({"reason":"deploy"})",
                          "application/json");
  REQUIRE(replay);
  CHECK(replay->status == 202);
  CHECK(replay->get_header_value("X-Idempotency-Replayed") == "true");
  CHECK(body_json(replay)["requestId"] == "pass-1");
  CHECK(count == 1);
  auto conflict = cli->Post("/v1/syncs", bearer(k_admin, {{"Idempotency-Key", "k-1"}}), R"({"reason":"other"})",
                            "application/json");
  check_envelope(conflict, 422, "IDEMPOTENCY_KEY_REUSED");
  auto fresh = cli->Post("/v1/syncs", bearer(k_admin), "", "application/json");
  REQUIRE(fresh);
  CHECK(fresh->get_header_value("X-Idempotency-Replayed").empty());
  CHECK(count == 2);
}

TEST_CASE("POST /v1/syncs refuses bad bodies and answers 503 without a controller", "[api][syncs]") {
  auto server = start(test_config());
  auto cli = client(*server);
  check_envelope(cli->Post("/v1/syncs", bearer(k_admin), "{not json", "application/json"), 400, "INVALID_BODY");
  check_envelope(cli->Post("/v1/syncs", bearer(k_admin), R"({"force":true})", "application/json"), 422, "UNKNOWN_FIELD");
  check_envelope(cli->Post("/v1/syncs", bearer(k_admin), "", "application/json"), 503, "CONTROLLER_UNAVAILABLE");
}

TEST_CASE("bodies past the limit are a 413 in the envelope", "[api][limits]") {
  ApiConfig config = test_config();
  config.max_body_bytes = 1024;
  auto server = start(config);
  auto res = client(*server)->Post("/v1/syncs", bearer(k_admin), std::string(4096, ' '), "application/json");
  check_envelope(res, 413, "PAYLOAD_TOO_LARGE");
}

TEST_CASE("webhooks are accepted only with a valid signature and trigger on the tracked ref", "[api][webhook]") {
  std::atomic<int> count{0};
  auto server = start(test_config(), counting_hooks(count));
  auto cli = client(*server);
  const std::string push = R"({"ref":"refs/heads/main","after":"0123abcd"})";
  const std::string sig = "sha256=" + plumb::crypto::hmac_sha256_hex("webhook-secret", push);
  auto ok = cli->Post("/v1/webhooks/git", {{"X-Hub-Signature-256", sig}, {"X-GitHub-Event", "push"}}, push, "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 202);
  CHECK(body_json(ok)["triggered"] == true);
  CHECK(count == 1);

  const std::string other = R"({"ref":"refs/heads/feature"})";
  auto ignored = cli->Post("/v1/webhooks/git",
                           {{"X-Gitea-Signature", plumb::crypto::hmac_sha256_hex("webhook-secret", other)}}, other,
                           "application/json");
  REQUIRE(ignored);
  CHECK(ignored->status == 200);
  CHECK(body_json(ignored)["triggered"] == false);

  auto gitlab = cli->Post("/v1/webhooks/git", {{"X-Gitlab-Token", "webhook-secret"}}, push, "application/json");
  REQUIRE(gitlab);
  CHECK(gitlab->status == 202);
  CHECK(count == 2);

  check_envelope(cli->Post("/v1/webhooks/git", {{"X-Hub-Signature-256", sig}}, push + " ", "application/json"), 401,
                 "SIGNATURE_INVALID");
  check_envelope(cli->Post("/v1/webhooks/git", {}, push, "application/json"), 401, "SIGNATURE_MISSING");
  check_envelope(cli->Post("/v1/webhooks/git", {{"X-Gitlab-Token", "nope"}}, push, "application/json"), 401,
                 "SIGNATURE_INVALID");
  CHECK(count == 2);
}

TEST_CASE("an oversized webhook body is refused before it is read whole", "[api][webhook][limits]") {
  ApiConfig config = test_config();
  config.max_body_bytes = 64 * 1024;
  std::atomic<int> count{0};
  auto server = start(config, counting_hooks(count));
  const std::string big = R"({"ref":"refs/heads/main","pad":")" + std::string(100 * 1024, 'x') + "\"}";
  const std::string sig = "sha256=" + plumb::crypto::hmac_sha256_hex("webhook-secret", big);
  check_envelope(client(*server)->Post("/v1/webhooks/git", {{"X-Hub-Signature-256", sig}}, big, "application/json"),
                 413, "PAYLOAD_TOO_LARGE");
  CHECK(count == 0);
}

TEST_CASE("health, metrics and the OpenAPI document are served without a token", "[api][ops]") {
  auto server = start(test_config());
  auto cli = client(*server);
  auto health = cli->Get("/healthz");
  REQUIRE(health);
  CHECK(health->status == 200);
  // No database behind this server: not ready.
  check_envelope(cli->Get("/readyz"), 503, "NOT_READY");
  auto doc = cli->Get("/v1/openapi.json");
  REQUIRE(doc);
  CHECK(doc->status == 200);
  const Json parsed = body_json(doc);
  CHECK(parsed["openapi"] == "3.1.0");
  CHECK(parsed["paths"].contains("/v1/drift"));
  auto again = cli->Get("/v1/openapi.json", {{"If-None-Match", doc->get_header_value("ETag")}});
  REQUIRE(again);
  CHECK(again->status == 304);
  CHECK(again->body.empty());
  auto metrics = cli->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->body.find("plumb_http_requests_total{route=\"/v1/openapi.json\",method=\"GET\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics->body.find("plumb_http_request_duration_seconds_bucket") != std::string::npos);
}

TEST_CASE("controller figures fed through Metrics appear at /metrics", "[api][ops]") {
  auto server = start(test_config());
  server->metrics().observe_pass("succeeded", 0.25);
  server->metrics().set_drift_counts({{{"Tenant", "modified"}, 2}});
  server->metrics().add_applied("Workspace", "create", 3);
  auto metrics = client(*server)->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("plumb_pass_duration_seconds_count{outcome=\"succeeded\"} 1") != std::string::npos);
  CHECK(metrics->body.find("plumb_drift_items{kind=\"Tenant\",type=\"modified\"} 2") != std::string::npos);
  CHECK(metrics->body.find("plumb_applied_changes_total{kind=\"Workspace\",action=\"create\"} 3") != std::string::npos);
}

TEST_CASE("every registered route is documented and every documented route answers", "[api][openapi]") {
  auto server = start(test_config());
  auto documented = openapi_operations();
  REQUIRE(documented);
  std::set<std::pair<std::string, std::string>> docs(documented->begin(), documented->end());
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : server->routes()) {
    served.insert(route);
    INFO(route.first << " " << route.second);
    CHECK(docs.count(route) == 1);
  }
  auto cli = client(*server);
  for (const auto& [method, path] : docs) {
    INFO(method << " " << path);
    CHECK(served.count({method, path}) == 1);
    std::string concrete = path;
    for (std::size_t open; (open = concrete.find('{')) != std::string::npos;) {
      concrete.replace(open, concrete.find('}') - open + 1, "1");
    }
    auto res = method == "GET" ? cli->Get(concrete, bearer(k_admin))
                               : cli->Post(concrete, bearer(k_admin), "{}", "application/json");
    REQUIRE(res);
    CHECK(res->status != 405);
    const Json body = body_json(res);
    if (body.is_object()) CHECK(body.value("/error/code"_json_pointer, std::string()) != "ROUTE_NOT_FOUND");
  }
}

TEST_CASE("a second server on a taken port fails to start", "[api][ops]") {
  auto first = start(test_config());
  ApiConfig config = test_config();
  config.port = first->port();
  Server second(config);
  auto started = second.start();
  REQUIRE_FALSE(started);
  CHECK(started.error().code == "API_BIND_FAILED");
}

TEST_CASE("slow clients are cut off without stalling other clients", "[api][limits]") {
  ApiConfig config = test_config();
  config.threads = 4;
  config.request_deadline = std::chrono::milliseconds(1000);
  auto server = start(config);
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    const int fd = connect_loopback(server->port());
    REQUIRE(fd >= 0);
    exchange(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", std::chrono::milliseconds(1));
    slow.push_back(fd);
  }
  // Keep trickling, as an attacker would, so per-read timeouts never fire.
  std::atomic<bool> trickle{true};
  std::thread dribbler([&] {
    while (trickle) {
      for (int fd : slow) (void)::send(fd, "a", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto res = client(*server)->Get("/healthz");
  const auto waited = std::chrono::steady_clock::now() - t0;
  trickle = false;
  dribbler.join();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(waited < std::chrono::seconds(4));
  for (int fd : slow) {
    // The server closed the connection: a read returns end-of-file (or an error), not a response.
    CHECK(exchange(fd, "", std::chrono::milliseconds(500)).find("200 OK") == std::string::npos);
    ::close(fd);
  }
}

TEST_CASE("oversized headers are refused in the envelope and the server keeps serving", "[api][limits]") {
  auto server = start(test_config());
  const int fd = connect_loopback(server->port());
  REQUIRE(fd >= 0);
  const std::string reply = exchange(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
                                     std::chrono::milliseconds(2000));
  ::close(fd);
  CHECK(reply.rfind("HTTP/1.1 4", 0) == 0);
  CHECK(reply.find("\"error\"") != std::string::npos);
  auto res = client(*server)->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("invalid UTF-8 in a query string still gets a JSON error envelope", "[api][errors]") {
  auto server = start(test_config());
  check_envelope(client(*server)->Get("/v1/drift?%FF%FE=1", bearer(k_admin)), 400, "INVALID_PARAMETER");
}

TEST_CASE("token reveal answers once through the store hook, with no-store caching", "[api][reveal]") {
  std::atomic<int> reveals{0};
  StoreHooks store;
  store.reveal_token = [&reveals](const RevealRequest& req) -> plumb::Result<std::string> {
    if (req.name != "deploy") return plumb::make_error(plumb::ErrorKind::terminal, "TOKEN_NOT_FOUND", "no such token");
    if (reveals++ > 0) return plumb::make_error(plumb::ErrorKind::conflict, "ALREADY_REVEALED", "revealed before");
    CHECK(req.actor == "admin");
    CHECK(req.correlation_id == "reveal-correlation");
    return std::string("plb_") + std::string(38, 'x');
  };
  auto server = std::make_unique<Server>(test_config(), ControllerHooks{}, store);
  REQUIRE(server->start());
  auto cli = client(*server);
  const httplib::Headers headers = bearer(k_admin, {{"X-Correlation-Id", "reveal-correlation"}});
  auto first = cli->Post("/v1/tenants/acme/tokens/deploy/reveal", headers, "", "application/json");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->get_header_value("Cache-Control") == "no-store");
  CHECK(body_json(first)["token"].get<std::string>().rfind("plb_", 0) == 0);
  check_envelope(cli->Post("/v1/tenants/acme/tokens/deploy/reveal", headers, "", "application/json"), 409,
                 "ALREADY_REVEALED");
  check_envelope(cli->Post("/v1/tenants/acme/tokens/other/reveal", headers, "", "application/json"), 404,
                 "RESOURCE_NOT_FOUND");
}

TEST_CASE("audit verify reports the store's verdict", "[api][audit]") {
  StoreHooks store;
  store.verify_audit = []() -> plumb::Result<AuditVerdict> { return AuditVerdict{false, 12, 7, "row 7 was edited"}; };
  auto server = std::make_unique<Server>(test_config(), ControllerHooks{}, store);
  REQUIRE(server->start());
  auto res = client(*server)->Get("/v1/audit/verify", bearer(k_admin));
  REQUIRE(res);
  CHECK(res->status == 200);
  const Json body = body_json(res);
  CHECK(body["intact"] == false);
  CHECK(body["checked"] == 12);
  CHECK(body["firstBadId"] == 7);
  check_envelope(client(*start(test_config()))->Get("/v1/audit/verify", bearer(k_admin)), 503, "STORE_UNAVAILABLE");
}
