// Routes over a real PostgreSQL: happy paths, BOLA, roles, pagination, masking.
#include <atomic>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api/auth.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"
#include "tests/api/db_support.hpp"
#include "tests/api/http_support.hpp"

using namespace plumb::api;
using namespace plumb::api::testing;

namespace {

const std::string k_token_key = "token-key-for-api-tests";

// A populated database and a server over it; tokens by role name for tenant acme.
struct Fixture {
  std::string url;
  std::unique_ptr<Server> server;
  std::map<std::string, std::string> acme_tokens;  // role -> plaintext
  std::string globex_token;
  std::vector<std::string> secret_hashes;

  explicit Fixture(ApiConfig config = test_config()) {
    url = fresh_api_database();
    seed();
    config.database_url = url;
    config.token_key = k_token_key;
    config.rate_limit_per_minute = 100000;
    server = start(config);
  }

  std::string add_token(pqxx::work& tx, const std::string& tenant, const std::string& name, const std::string& role,
                        const std::string& expires = "") {
    const std::string secret = plumb::token_format::generate();
    const std::string hash = Authenticator::secret_hash(k_token_key, secret);
    secret_hashes.push_back(hash);
    insert_token(tx, tenant, name, role, hash, expires);
    return secret;
  }

  void seed() {
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    seeding(tx);
    for (const char* t : {"acme", "globex", "initech"}) insert_tenant(tx, t);
    insert_workspace(tx, "acme", "analytics");
    insert_workspace(tx, "globex", "ops");
    insert_pipeline(tx, "acme", "analytics", "ingest");
    insert_pipeline(tx, "globex", "ops", "billing");
    insert_role(tx, "acme", "everything", {"*:*"});
    insert_role(tx, "acme", "drift-reader", {"drift:read"});
    insert_role(tx, "globex", "everything", {"*:*"});
    for (const char* role : {"viewer", "auditor", "editor", "admin", "everything", "drift-reader"}) {
      acme_tokens[role] = add_token(tx, "acme", std::string("tok-") + role, role);
    }
    globex_token = add_token(tx, "globex", "tok-globex", "everything");
    add_token(tx, "acme", "tok-expired", "viewer", "2001-01-01T00:00:00Z");
    insert_drift(tx, "Tenant", "", "", "acme", "modified");  // a Tenant row is keyed by name alone
    insert_drift(tx, "Workspace", "globex", "", "ops", "missing");
    insert_sync(tx, "succeeded");
    insert_audit(tx, "plumb", "create", "Tenant", "acme");
    insert_audit(tx, "plumb", "create", "Tenant", "globex");
    tx.commit();
  }
};

std::string concrete(const std::string& path, const std::string& tenant) {
  std::string out = path;
  const std::map<std::string, std::string> values = {{"{tenant}", tenant}, {"{workspace}", "analytics"},
                                                     {"{pipeline}", "ingest"}, {"{role}", "everything"},
                                                     {"{token}", "tok-viewer"}, {"{id}", "1"}};
  for (const auto& [placeholder, value] : values) {
    for (std::size_t at; (at = out.find(placeholder)) != std::string::npos;) out.replace(at, placeholder.size(), value);
  }
  return out;
}

httplib::Result call(httplib::Client& cli, const std::string& method, const std::string& path, const std::string& token) {
  if (method == "GET") return cli.Get(path, bearer(token));
  return cli.Post(path, bearer(token), "", "application/json");
}

}  // namespace

TEST_CASE("every read route answers its happy path for the admin token", "[api][db]") {
  Fixture f;
  auto cli = client(*f.server);
  const std::vector<std::string> paths = {
      "/v1/tenants", "/v1/tenants/acme", "/v1/tenants/acme/workspaces", "/v1/tenants/acme/workspaces/analytics",
      "/v1/tenants/acme/workspaces/analytics/pipelines", "/v1/tenants/acme/workspaces/analytics/pipelines/ingest",
      "/v1/tenants/acme/roles", "/v1/tenants/acme/roles/everything", "/v1/tenants/acme/roles/viewer",
      "/v1/tenants/acme/tokens", "/v1/tenants/acme/tokens/tok-viewer", "/v1/drift", "/v1/syncs", "/v1/syncs/1",
      "/v1/audit", "/v1/status", "/readyz"};
  for (const auto& path : paths) {
    INFO(path);
    auto res = cli->Get(path, bearer(k_admin));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(body_json(res).is_object());
  }
  const Json tenants = body_json(cli->Get("/v1/tenants", bearer(k_admin)));
  REQUIRE(tenants["data"].size() == 3);
  CHECK(tenants["data"][0]["name"] == "acme");
  CHECK(tenants["data"][0]["displayName"] == "acme Inc");
  CHECK(tenants["has_more"] == false);
  CHECK(tenants["next_cursor"].is_null());
  const Json drift = body_json(cli->Get("/v1/drift?type=modified", bearer(k_admin)));
  CHECK(drift["summary"]["total"] == 1);
  CHECK(drift["data"][0]["name"] == "acme");
  const Json builtin = body_json(cli->Get("/v1/tenants/acme/roles/viewer", bearer(k_admin)));
  CHECK(builtin["builtin"] == true);
}

TEST_CASE("missing resources are 404 RESOURCE_NOT_FOUND", "[api][db]") {
  Fixture f;
  auto cli = client(*f.server);
  for (const char* path : {"/v1/tenants/ghost", "/v1/tenants/ghost/workspaces", "/v1/tenants/acme/workspaces/nope",
                           "/v1/tenants/acme/workspaces/nope/pipelines", "/v1/tenants/acme/roles/nope",
                           "/v1/tenants/acme/tokens/nope", "/v1/syncs/999", "/v1/syncs/abc"}) {
    INFO(path);
    auto res = cli->Get(path, bearer(k_admin));
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(body_json(res)["error"]["code"] == "RESOURCE_NOT_FOUND");
  }
}

TEST_CASE("a tenant token gets 404 on every route of another tenant, as if it did not exist", "[api][db][bola]") {
  Fixture f;
  auto cli = client(*f.server);
  const std::string token = f.acme_tokens["everything"];
  int checked = 0;
  for (const auto& [method, path] : f.server->routes()) {
    if (path.rfind("/v1/tenants/{tenant}", 0) != 0) continue;
    INFO(method << " " << path);
    auto other = call(*cli, method, concrete(path, "globex"), token);
    auto missing = call(*cli, method, concrete(path, "ghost"), token);
    REQUIRE(other);
    REQUIRE(missing);
    CHECK(other->status == 404);
    CHECK(missing->status == 404);
    const Json a = body_json(other);
    const Json b = body_json(missing);
    CHECK(a["error"]["code"] == "RESOURCE_NOT_FOUND");
    CHECK(a["error"]["code"] == b["error"]["code"]);
    CHECK(a["error"]["message"] == "Tenant \"globex\" not found");
    CHECK(b["error"]["message"] == "Tenant \"ghost\" not found");
    ++checked;
  }
  CHECK(checked >= 10);
  // Global routes filter to the caller's tenant.
  const Json tenants = body_json(cli->Get("/v1/tenants", bearer(token)));
  REQUIRE(tenants["data"].size() == 1);
  CHECK(tenants["data"][0]["name"] == "acme");
  const Json drift = body_json(cli->Get("/v1/drift", bearer(token)));
  CHECK(drift["summary"]["total"] == 1);
  const Json foreign = body_json(cli->Get("/v1/drift?tenant=globex", bearer(token)));
  CHECK(foreign["data"].empty());
  const Json audit = body_json(cli->Get("/v1/audit", bearer(token)));
  for (const auto& row : audit["data"]) CHECK(row["tenant"] == "acme");
  // Sync runs: identity and outcome only, nothing describing other tenants' changes.
  const Json run = body_json(cli->Get("/v1/syncs/1", bearer(token)));
  CHECK(run["status"] == "succeeded");
  CHECK_FALSE(run.contains("counts"));
  CHECK_FALSE(run.contains("error"));
  CHECK(body_json(cli->Get("/v1/status", bearer(token)))["drift"].is_null());
}

TEST_CASE("each role reaches exactly the routes its permissions allow", "[api][db][roles]") {
  Fixture f;
  auto cli = client(*f.server);
  // route -> the resource:action it needs
  const std::vector<std::tuple<std::string, std::string, std::string>> routes = {
      {"GET", "/v1/tenants/acme", "tenants:read"},
      {"GET", "/v1/tenants/acme/workspaces", "workspaces:read"},
      {"GET", "/v1/tenants/acme/workspaces/analytics/pipelines", "pipelines:read"},
      {"GET", "/v1/tenants/acme/roles", "roles:read"},
      {"GET", "/v1/tenants/acme/tokens", "tokens:read"},
      {"GET", "/v1/drift", "drift:read"},
      {"GET", "/v1/syncs", "syncs:read"},
      {"GET", "/v1/audit", "audit:read"},
      {"GET", "/v1/audit/verify", "audit:read"},
      {"POST", "/v1/syncs", "syncs:trigger"},
      {"POST", "/v1/tenants/acme/tokens/tok-viewer/reveal", "tokens:reveal"},
  };
  const std::map<std::string, std::set<std::string>> grants = {
      {"viewer", {"tenants:read", "workspaces:read", "pipelines:read", "roles:read", "tokens:read", "drift:read",
                  "syncs:read", "audit:read"}},
      {"editor", {"tenants:read", "workspaces:read", "pipelines:read", "roles:read", "tokens:read", "drift:read",
                  "syncs:read", "audit:read"}},
      {"auditor", {"audit:read", "drift:read"}},
      {"drift-reader", {"drift:read"}},
      {"admin", {"tenants:read", "workspaces:read", "pipelines:read", "roles:read", "tokens:read", "drift:read",
                 "syncs:read", "audit:read", "syncs:trigger"}},
  };
  for (const auto& [role, allowed] : grants) {
    for (const auto& [method, path, needed] : routes) {
      INFO(role << " " << method << " " << path);
      auto res = call(*cli, method, path, f.acme_tokens.at(role));
      REQUIRE(res);
      if (allowed.count(needed)) {
        CHECK(res->status != 403);
        CHECK(res->status != 401);
      } else {
        CHECK(res->status == 403);
        CHECK(body_json(res)["error"]["code"] == "FORBIDDEN");
      }
    }
  }
}

TEST_CASE("an expired token is refused and listed as Expired", "[api][db][auth]") {
  Fixture f;
  auto cli = client(*f.server);
  const Json tokens = body_json(cli->Get("/v1/tenants/acme/tokens?limit=100", bearer(k_admin)));
  bool saw_expired = false;
  for (const auto& token : tokens["data"]) {
    if (token["name"] == "tok-expired") {
      CHECK(token["status"] == "Expired");
      saw_expired = true;
    } else {
      CHECK(token["status"] == "Active");
    }
  }
  CHECK(saw_expired);
}

TEST_CASE("no response ever holds a token's plaintext or hash", "[api][db][secrets]") {
  Fixture f;
  auto cli = client(*f.server);
  std::string all;
  for (const auto& [method, path] : f.server->routes()) {
    if (method != "GET" || path == "/v1/openapi.json") continue;  // the document explains secrets in prose
    for (const char* tenant : {"acme", "globex"}) {
      auto res = cli->Get(concrete(path, tenant), bearer(k_admin));
      if (res) all += res->body;
      auto own = cli->Get(concrete(path, tenant), bearer(f.acme_tokens["viewer"]));
      if (own) all += own->body;
    }
  }
  all += cli->Get("/v1/tenants/acme/tokens/tok-viewer", bearer(k_admin))->body;
  for (const auto& [role, secret] : f.acme_tokens) CHECK(all.find(secret) == std::string::npos);
  for (const auto& hash : f.secret_hashes) CHECK(all.find(hash) == std::string::npos);
  CHECK_FALSE(plumb::token_format::contains_token_shape(all));
  CHECK(all.find("secret") == std::string::npos);
}

TEST_CASE("limit and cursor are validated", "[api][db][pagination]") {
  Fixture f;
  auto cli = client(*f.server);
  for (const char* q : {"limit=0", "limit=101", "limit=abc", "limit=-1", "limit=5x"}) {
    INFO(q);
    auto res = cli->Get(std::string("/v1/tenants?") + q, bearer(k_admin));
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(body_json(res)["error"]["code"] == "INVALID_PARAMETER");
  }
  auto unknown = cli->Get("/v1/tenants?limt=5", bearer(k_admin));
  CHECK(unknown->status == 400);
  const Json page = body_json(cli->Get("/v1/tenants?limit=1", bearer(k_admin)));
  REQUIRE(page["has_more"] == true);
  std::string cursor = page["next_cursor"];
  auto next = cli->Get("/v1/tenants?limit=1&cursor=" + cursor, bearer(k_admin));
  CHECK(body_json(next)["data"][0]["name"] == "globex");
  std::string tampered = cursor;
  tampered[1] = tampered[1] == 'A' ? 'B' : 'A';
  auto bad = cli->Get("/v1/tenants?limit=1&cursor=" + tampered, bearer(k_admin));
  CHECK(bad->status == 400);
  CHECK(body_json(bad)["error"]["code"] == "INVALID_CURSOR");
  // The same cursor on another list, or for another caller, is refused too.
  CHECK(cli->Get("/v1/tenants/acme/roles?cursor=" + cursor, bearer(k_admin))->status == 400);
  CHECK(cli->Get("/v1/tenants?cursor=" + cursor, bearer(f.acme_tokens["viewer"]))->status == 400);
}

TEST_CASE("paging while rows are inserted yields no duplicates and no gaps", "[api][db][pagination]") {
  Fixture f;
  {
    pqxx::connection conn(f.url);
    pqxx::work tx(conn);
    seeding(tx);
    for (int i = 0; i < 200; ++i) insert_workspace(tx, "acme", "ws-" + std::to_string(1000 + i * 2));
    tx.commit();
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    pqxx::connection conn(f.url);
    for (int i = 0; !stop && i < 400; ++i) {
      pqxx::work tx(conn);
      insert_workspace(tx, "acme", "ws-" + std::to_string(1001 + i * 2));  // interleaves with existing names
      tx.commit();
    }
  });
  auto cli = client(*f.server);
  std::vector<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 200; ++pages) {
    auto res = cli->Get("/v1/tenants/acme/workspaces?limit=7" + (cursor.empty() ? "" : "&cursor=" + cursor), bearer(k_admin));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const Json page = body_json(res);
    for (const auto& ws : page["data"]) seen.push_back(ws["name"]);
    if (!page["has_more"].get<bool>()) break;
    cursor = page["next_cursor"];
  }
  stop = true;
  writer.join();
  std::set<std::string> unique(seen.begin(), seen.end());
  CHECK(unique.size() == seen.size());
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  for (int i = 0; i < 200; ++i) CHECK(unique.count("ws-" + std::to_string(1000 + i * 2)) == 1);
}

TEST_CASE("reads carry a strong ETag and If-None-Match gives 304", "[api][db][etag]") {
  Fixture f;
  auto cli = client(*f.server);
  auto first = cli->Get("/v1/tenants/acme", bearer(k_admin));
  REQUIRE(first);
  const std::string etag = first->get_header_value("ETag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');
  auto again = cli->Get("/v1/tenants/acme", bearer(k_admin, {{"If-None-Match", etag}}));
  CHECK(again->status == 304);
  auto drift = cli->Get("/v1/drift", bearer(k_admin));
  auto drift_again = cli->Get("/v1/drift", bearer(k_admin, {{"If-None-Match", drift->get_header_value("ETag")}}));
  CHECK(drift_again->status == 304);
}

TEST_CASE("a hand edit of drift shows in GET /v1/drift within a second", "[api][db][drift]") {
  Fixture f;
  auto cli = client(*f.server);
  CHECK(body_json(cli->Get("/v1/drift", bearer(k_admin)))["summary"]["total"] == 2);
  {
    pqxx::connection conn(f.url);
    pqxx::work tx(conn);
    insert_drift(tx, "Role", "acme", "", "auditors", "unmanaged");
    tx.commit();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(body_json(cli->Get("/v1/drift", bearer(k_admin)))["summary"]["total"] == 3);
}

TEST_CASE("audit filters narrow the log and reject bad times", "[api][db][audit]") {
  Fixture f;
  auto cli = client(*f.server);
  const Json acme = body_json(cli->Get("/v1/audit?tenant=acme", bearer(k_admin)));
  REQUIRE(acme["data"].size() == 1);
  CHECK(acme["data"][0]["tenant"] == "acme");
  CHECK(body_json(cli->Get("/v1/audit?action=delete", bearer(k_admin)))["data"].empty());
  CHECK(body_json(cli->Get("/v1/audit?since=2999-01-01T00:00:00Z", bearer(k_admin)))["data"].empty());
  CHECK(body_json(cli->Get("/v1/audit?until=2999-01-01T00:00:00Z", bearer(k_admin)))["data"].size() == 2);
  auto bad = cli->Get("/v1/audit?since=yesterday", bearer(k_admin));
  CHECK(bad->status == 400);
  CHECK(cli->Get("/v1/audit?kind=Nope", bearer(k_admin))->status == 400);
}

TEST_CASE("the drift gauge at /metrics counts drift_items by kind and type", "[api][db][metrics]") {
  Fixture f;
  auto metrics = client(*f.server)->Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("plumb_drift_items{kind=\"Tenant\",type=\"modified\"} 1") != std::string::npos);
  CHECK(metrics->body.find("plumb_drift_items{kind=\"Workspace\",type=\"missing\"} 1") != std::string::npos);
}
