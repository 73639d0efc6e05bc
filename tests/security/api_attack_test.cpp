// API attacks that tests/api does not already try (see docs/reliability.md, "Attacks"):
//  - authentication and function-level authorization matrices generated from the server's route
//    table and cross-checked with the OpenAPI document (tests/api lists its routes by hand);
//  - slow POST bodies (tests/api covers slow headers);
//  - malformed, hostile and randomly mutated raw requests: 4xx or a closed connection, never a
//    5xx or a crash, and the server keeps serving.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "api/auth.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"
#include "tests/api/db_support.hpp"
#include "tests/api/http_support.hpp"

using namespace plumb::api;
using namespace plumb::api::testing;

namespace {

const std::string k_token_key = "token-key-for-security-tests";
const std::vector<std::string> k_resources = {"tenants", "workspaces", "pipelines", "roles", "tokens", "drift", "syncs", "audit"};
const std::vector<std::string> k_actions = {"read", "write", "trigger", "reveal"};

std::string concrete(std::string path) {
  const std::map<std::string, std::string> values = {{"{tenant}", "acme"}, {"{workspace}", "analytics"}, {"{pipeline}", "ingest"},
                                                     {"{role}", "viewer"}, {"{token}", "tok-none"},     {"{id}", "1"}};
  for (const auto& [placeholder, value] : values) {
    for (std::size_t at; (at = path.find(placeholder)) != std::string::npos;) path.replace(at, placeholder.size(), value);
  }
  return path;
}

httplib::Result call(httplib::Client& cli, const std::string& method, const std::string& path, const std::string& token) {
  httplib::Headers headers = token.empty() ? httplib::Headers{} : bearer(token);
  if (method == "GET") return cli.Get(path.c_str(), headers);
  return cli.Post(path.c_str(), headers, "", "application/json");
}

// A server over a migrated database holding tenant acme, one role per single permission
// ("p-<resource>-<action>") and one with none, each with a token; returns role -> secret.
struct Fixture {
  std::unique_ptr<Server> server;
  std::map<std::string, std::string> tokens;

  Fixture() {
    const std::string url = fresh_api_database();
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    seeding(tx);
    insert_tenant(tx, "acme");
    insert_workspace(tx, "acme", "analytics");
    insert_pipeline(tx, "acme", "analytics", "ingest");
    auto add = [&](const std::string& role, const std::vector<std::string>& permissions) {
      insert_role(tx, "acme", role, permissions);
      const std::string secret = plumb::token_format::generate();
      insert_token(tx, "acme", "tok-" + role, role, Authenticator::secret_hash(k_token_key, secret), "");
      tokens[role] = secret;
    };
    add("nothing", {});
    for (const auto& r : k_resources) {
      for (const auto& a : k_actions) add("p-" + r + "-" + a, {r + ":" + a});
    }
    insert_sync(tx, "succeeded");
    tx.commit();
    ApiConfig config = test_config(url);
    config.token_key = k_token_key;
    config.rate_limit_per_minute = 1000000;
    config.auth_failures_per_minute = 1000000;
    config.threads = 32;  // the lockout has its own test in tests/api
    ControllerHooks hooks;
    hooks.trigger = [](const TriggerRequest&) -> plumb::Result<std::string> { return std::string("1"); };
    server = start(config, hooks);
  }
};

// The error code of a JSON error answer, or "" for any other answer.
std::string error_code(const httplib::Result& res) {
  const Json body = body_json(res);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return "";
  return body["error"].value("code", "");
}

// True once `reply` holds a whole HTTP answer (head and Content-Length bytes of body).
bool complete(const std::string& reply) {
  const std::size_t head_end = reply.find("\r\n\r\n");
  if (head_end == std::string::npos) return false;
  const std::size_t at = reply.find("Content-Length: ");
  if (at == std::string::npos || at > head_end) return true;
  const std::size_t length = std::stoul(reply.substr(at + 16, reply.find("\r\n", at) - at - 16));
  return reply.size() >= head_end + 4 + length;
}

// Reads from `fd` until a whole answer arrived, the peer closed, or `timeout` passed.
std::string read_reply(int fd, std::chrono::milliseconds timeout) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (!complete(out) && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// Sends raw bytes on fresh connections, all before reading any answer (a truncated request costs
// the server's request deadline, waited once per batch); returns each first answer or "".
std::vector<std::string> raw_batch(int port, const std::vector<std::string>& requests) {
  std::vector<int> fds;
  for (const auto& request : requests) {
    const int fd = connect_loopback(port);
    REQUIRE(fd >= 0);
    (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  std::vector<std::string> replies;
  for (int fd : fds) {
    replies.push_back(read_reply(fd, std::chrono::milliseconds(8000)));
    ::close(fd);
  }
  return replies;
}

std::string raw(int port, const std::string& request) { return raw_batch(port, {request}).front(); }

// 4xx, or the connection closed without an answer; never 5xx, never a 2xx for garbage.
void check_refused(const std::string& what, const std::string& reply) {
  INFO(what << " -> " << reply.substr(0, 300));
  CHECK(reply.find("HTTP/1.1 5") == std::string::npos);
  if (!reply.empty()) CHECK(reply.rfind("HTTP/1.1 4", 0) == 0);
}

}  // namespace

TEST_CASE("exactly the routes the OpenAPI document marks public answer without a token", "[security][api][auth]") {
  // A real database: an unknown token is looked up (without one the honest answer is 503).
  Fixture f;
  auto& server = f.server;
  auto cli = client(*server);
  const Json openapi = body_json(cli->Get("/v1/openapi.json"));
  REQUIRE(openapi.is_object());
  int checked = 0;
  for (const auto& [method, path] : server->routes()) {
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const Json& operation = openapi["paths"][path][lower];
    REQUIRE(operation.is_object());
    const bool documented_public = operation.contains("security") && operation["security"].empty();
    INFO(method << " " << path);
    auto res = call(*cli, method, concrete(path), "");
    REQUIRE(res);
    // Public routes may still refuse (the webhook checks its signature) but never ask for a token.
    if (documented_public) {
      CHECK(error_code(res) != "UNAUTHENTICATED");
    } else {
      CHECK(res->status == 401);
      CHECK(error_code(res) == "UNAUTHENTICATED");
    }
    // A syntactically valid but unknown token is the same 401.
    auto forged = call(*cli, method, concrete(path), plumb::token_format::generate());
    REQUIRE(forged);
    if (!documented_public) CHECK(forged->status == 401);
    ++checked;
  }
  CHECK(checked >= 20);
}

TEST_CASE("every authenticated route needs exactly one permission and refuses a role without it", "[security][api][roles]") {
  Fixture f;
  auto cli = client(*f.server);
  int checked = 0;
  for (const auto& [method, path] : f.server->routes()) {
    auto anonymous = call(*cli, method, concrete(path), "");
    REQUIRE(anonymous);
    if (error_code(anonymous) != "UNAUTHENTICATED") continue;  // public route (the webhook has its own 401s)
    INFO(method << " " << path);
    auto none = call(*cli, method, concrete(path), f.tokens.at("nothing"));
    REQUIRE(none);
    CHECK(none->status == 403);
    CHECK(body_json(none)["error"]["code"] == "FORBIDDEN");
    std::set<std::string> allowed_by;
    for (const auto& r : k_resources) {
      for (const auto& a : k_actions) {
        auto res = call(*cli, method, concrete(path), f.tokens.at("p-" + r + "-" + a));
        REQUIRE(res);
        CHECK(res->status != 401);
        // 503 *_UNAVAILABLE: the fixture has no controller or store hooks; it comes after the
        // permission check, so it counts as allowed.
        CHECK((res->status < 500 || res->status == 503));
        if (res->status != 403) allowed_by.insert(r + ":" + a);
      }
    }
    INFO("allowed by: " << Catch::Detail::stringify(std::vector<std::string>(allowed_by.begin(), allowed_by.end())));
    CHECK(allowed_by.size() == 1);
    // The permission names what the route touches (its resource appears in the path).
    if (allowed_by.size() == 1 && path != "/v1/status") {
      const std::string resource = allowed_by.begin()->substr(0, allowed_by.begin()->find(':'));
      CHECK(path.find(resource) != std::string::npos);
    }
    ++checked;
  }
  CHECK(checked >= 15);
}

TEST_CASE("slow POST bodies are cut off without stalling other clients", "[security][api][limits]") {
  ApiConfig config = test_config();
  config.threads = 4;
  config.request_deadline = std::chrono::milliseconds(1000);
  auto server = start(config);
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    const int fd = connect_loopback(server->port());
    REQUIRE(fd >= 0);
    exchange(fd,
             "POST /v1/syncs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k_admin +
                 "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
             std::chrono::milliseconds(1));
    slow.push_back(fd);
  }
  std::atomic<bool> trickle{true};
  std::thread dribbler([&] {
    while (trickle) {
      for (int fd : slow) (void)::send(fd, " ", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto res = client(*server)->Get("/healthz");
  const auto waited = std::chrono::steady_clock::now() - t0;
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the deadline, still trickling
  trickle = false;
  dribbler.join();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(waited < std::chrono::seconds(4));
  for (int fd : slow) {
    const std::string reply = exchange(fd, "", std::chrono::milliseconds(500));
    CHECK(reply.find("HTTP/1.1 2") == std::string::npos);  // never processed as a request
    ::close(fd);
  }
}

TEST_CASE("malformed and hostile requests get 4xx, never 5xx, and the server keeps serving", "[security][api][errors]") {
  Fixture f;
  const int port = f.server->port();
  const std::string auth = "Authorization: Bearer " + k_admin + "\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n"},
      {"unknown version", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"},
      {"no version", "GET /healthz\r\n\r\n"},
      {"lowercase method", "get /v1/tenants HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"unknown method", "BREW /v1/tenants HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"huge request line", "GET /v1/tenants?" + std::string(200000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"header without colon", "GET /v1/tenants HTTP/1.1\r\nHost x\r\n" + auth + "\r\n"},
      {"thousands of headers", "GET /v1/tenants HTTP/1.1\r\nHost: x\r\n" + auth + [] {
         std::string h;
         for (int i = 0; i < 3000; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
         return h;
       }() + "\r\n"},
      {"negative content-length", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: -5\r\n\r\n{}"},
      {"non-numeric content-length", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: abc\r\n\r\n{}"},
      {"enormous content-length", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 99999999999999999999\r\n\r\n{}"},
      {"conflicting content-lengths", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}"},
      {"bad chunk size", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
      {"huge chunk", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\n{}\r\n"},
      {"chunked webhook past the limit", "POST /v1/webhooks/git HTTP/1.1\r\nHost: x\r\nX-Gitlab-Token: webhook-secret\r\n"
                                         "Transfer-Encoding: chunked\r\n\r\n200000\r\n" + std::string(0x200000, 'x') + "\r\n0\r\n\r\n"},
      {"path traversal", "GET /v1/../../../etc/passwd HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"encoded traversal", "GET /v1/tenants/%2e%2e%2f%2e%2e HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"NUL in path", [] {
         constexpr char line[] = "GET /v1/tenants/ac\0me HTTP/1.1\r\nHost: x\r\n";
         return std::string(line, sizeof line - 1);
       }() + auth + "\r\n"},
      {"encoded NUL", "GET /v1/tenants/ac%00me HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"long parameter", "GET /v1/tenants/" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"SQL in parameter", "GET /v1/tenants/acme'%3B%20drop%20table%20tenants%3B-- HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"huge limit", "GET /v1/tenants?limit=99999999999999999999999 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"negative limit", "GET /v1/tenants?limit=-1 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"garbage cursor", "GET /v1/tenants?cursor=%FF%FE.%00 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"repeated parameters", "GET /v1/audit?" + [] {
         std::string q;
         for (int i = 0; i < 2000; ++i) q += "actor=a&";
         return q;
       }() + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"invalid UTF-8 in a filter", "GET /v1/audit?actor=%D2m HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"invalid UTF-8 in a parameter name", "GET /v1/tenants?%FF=1 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"invalid UTF-8 in a path name", "GET /v1/tenants/%C0%AF HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"bad audit time", "GET /v1/audit?since=2026-13-45T99:99:99Z HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"},
      {"huge bearer", "GET /v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(6000, 'b') + "\r\n\r\n"},
      {"non-ASCII bearer", "GET /v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\xc3\x28\r\n\r\n"},
      {"basic auth", "GET /v1/tenants HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46YWRtaW4=\r\n\r\n"},
      {"deep JSON body", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n" +
                             std::string(100000, '[') + std::string(100000, ']')},
      {"JSON with invalid UTF-8", "POST /v1/syncs HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 16\r\n\r\n{\"reason\":\"\xff\xfe\"}"},
      {"header injection in correlation id", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Correlation-Id: a\rSet-Cookie: x=1\r\n\r\n"},
  };
  // Well-formed requests carrying a hostile value may succeed; they must not be echoed.
  // cpp-httplib drops a header line without a colon and serves the rest (a known leniency).
  const std::set<std::string> may_succeed = {"header injection in correlation id", "header without colon"};
  for (const auto& [what, request] : cases) {
    const std::string reply = raw(port, request);
    if (may_succeed.count(what) != 0) {
      INFO(what << " -> " << reply.substr(0, 300));
      CHECK(reply.find("HTTP/1.1 5") == std::string::npos);
    } else {
      check_refused(what, reply);
    }
    CHECK(reply.find("Set-Cookie") == std::string::npos);
  }
  auto res = client(*f.server)->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
}

constexpr int k_mutation_batches = 8;
constexpr int k_mutation_batch_size = 25;  // below the fixture's worker threads

// One to four random edits: a byte replaced, a run erased, a run of one byte inserted.
std::string mutate(std::string request, std::mt19937& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    const std::size_t at = rng() % request.size();
    switch (rng() % 3) {
      case 0: request[at] = static_cast<char>(rng() % 256); break;
      case 1: request.erase(at, 1 + rng() % 8); break;
      default: request.insert(at, std::string(1 + rng() % 64, static_cast<char>(rng() % 256))); break;
    }
    if (request.empty()) request = "x";
  }
  return request;
}

TEST_CASE("randomly mutated requests never get a 5xx", "[security][api][errors]") {
  Fixture f;
  const int port = f.server->port();
  const std::vector<std::string> seeds = {
      "GET /v1/tenants/acme/workspaces?limit=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k_admin + "\r\n\r\n",
      "POST /v1/syncs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k_admin +
          "\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n{\"reason\":\"test\"}",
      "GET /v1/audit?actor=plumb&kind=Tenant HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + k_admin + "\r\n\r\n"};
  for (const auto& seed : seeds) CHECK(raw(port, seed).rfind("HTTP/1.1 2", 0) == 0);  // the harness reaches the routes
  std::mt19937 rng(20261123);  // fixed: a failure reproduces
  int answered = 0;
  for (int batch = 0; batch < k_mutation_batches; ++batch) {
    std::vector<std::string> requests;
    for (int i = 0; i < k_mutation_batch_size; ++i) requests.push_back(mutate(seeds[requests.size() % seeds.size()], rng));
    const auto replies = raw_batch(port, requests);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      INFO("batch " << batch << " mutation " << i << ": " << requests[i].substr(0, 200) << " -> " << replies[i].substr(0, 200));
      CHECK(replies[i].find("HTTP/1.1 5") == std::string::npos);
      answered += replies[i].empty() ? 0 : 1;
    }
  }
  // Mutations that break the framing get no answer; enough are answered that routes are reached.
  CHECK(answered > 50);
  auto res = client(*f.server)->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("tokens and webhook signatures are compared in constant time", "[security][api][auth]") {
  using plumb::crypto::constant_time_equal;
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(constant_time_equal("", ""));
  // Every comparison of a secret in the API goes through it: each file holding one names it and
  // none compares with memcmp/strcmp (a plain == on a secret is caught by review and this list).
  const std::vector<std::string> files = {"api/auth.cpp", "api/webhook.cpp", "api/dispatch.cpp"};
  for (const auto& file : files) {
    std::ifstream in(std::string(PLUMB_SOURCE_DIR) + "/" + file);
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(file);
    CHECK(text.find("crypto::constant_time_equal(") != std::string::npos);
    CHECK(text.find("memcmp") == std::string::npos);
    CHECK(text.find("strcmp") == std::string::npos);
    CHECK(text.find("secret ==") == std::string::npos);
    CHECK(text.find("== secret") == std::string::npos);
    CHECK(text.find("signature ==") == std::string::npos);
  }
}
