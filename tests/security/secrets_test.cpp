// DESIGN §6 "Secrets": after a full scenario with the real binary and a real PostgreSQL (mint at
// apply, reveal once over the API and the CLI, use the token, rotate it through Git, failures),
// neither a token's plaintext nor its stored hash appears in the database dump, the logs, any API
// response or any plan/drift/audit output. The one allowed place of a hash is its own
// api_tokens.secret_hash cell, so the dump is taken without that column (and the full dump is
// checked to hold each current hash exactly once, which also proves the search finds hashes).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/security/process.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb::security_testing;
using Json = nlohmann::json;

namespace {

// Everything the scenario produced that a secret must never appear in, by where it came from.
struct Haystack {
  std::vector<std::pair<std::string, std::string>> items;
  void add(const std::string& where, const std::string& text) { items.emplace_back(where, text); }
  void add(const std::string& where, const Run& r) {
    add(where + " (stdout)", r.out);
    add(where + " (stderr)", r.err);
  }
  void add(const std::string& where, const httplib::Result& res) {
    REQUIRE(res);
    std::string text = res->body;
    for (const auto& [name, value] : res->headers) text += "\n" + name + ": " + value;
    add(where, text);
  }
};

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Fails once per (needle, place) hit, naming both.
void expect_absent(const Haystack& hay, const std::map<std::string, std::string>& needles) {
  for (const auto& [what, needle] : needles) {
    REQUIRE(needle.size() >= 16);  // a short needle would prove nothing
    for (const auto& [where, text] : hay.items) {
      if (text.find(needle) != std::string::npos) FAIL_CHECK(what << " found in " << where);
    }
  }
}

std::string reveal(httplib::Client& http, const std::string& token) {
  auto res = http.Post(("/v1/tenants/acme-corp/tokens/" + token + "/reveal").c_str(), "", "application/json");
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 200);
  return Json::parse(res->body)["token"].get<std::string>();
}

int status_with(int port, const std::string& bearer, const std::string& path) {
  httplib::Client c("127.0.0.1", port);
  c.set_bearer_token_auth(bearer.c_str());
  auto res = c.Get(path.c_str());
  REQUIRE(res);
  return res->status;
}

// Waits (up to ~20 s) until `ok` holds.
void eventually(const std::string& what, const std::function<bool()>& ok) {
  for (int i = 0; i < 200; ++i) {
    if (ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL("timed out waiting for " << what);
}

// secret_hash of every token, "tenant/name" -> hex.
std::map<std::string, std::string> token_hashes(const std::string& url) {
  std::map<std::string, std::string> out;
  std::istringstream rows(plumb::testing::psql(url, "select tenant || '/' || name || ' ' || secret_hash from plumb.api_tokens"));
  for (std::string line; std::getline(rows, line);) {
    const auto space = line.find(' ');
    if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// The database as SQL text, with api_tokens.secret_hash left out (every other column kept).
std::string dump_without_hash_column(const std::string& url) {
  std::string dump = plumb::testing::run_client("pg_dump", {"--no-owner", "--exclude-table-data=plumb.api_tokens", "-d", url});
  const std::string columns = plumb::testing::psql(
      url, "select string_agg(quote_ident(column_name), ',' order by ordinal_position) from information_schema.columns "
           "where table_schema = 'plumb' and table_name = 'api_tokens' and column_name <> 'secret_hash'");
  dump += plumb::testing::psql(url, "copy (select " + columns + " from plumb.api_tokens) to stdout");
  return dump;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

void git_commit(const fs::path& repo, const std::string& message) {
  REQUIRE(run({"sh", "-c", "git add -A && git -c user.email=t@e -c user.name=t commit -qm '" + message + "'"}, repo).code == 0);
}

}  // namespace

TEST_CASE("no token plaintext or hash leaks into the dump, logs, API answers or plan and audit outputs", "[security][secrets]") {
  const std::string url = plumb::testing::fresh_database();
  const fs::path dir = temp_dir("secrets");
  const fs::path repo = dir / "repo";
  fs::copy(fs::path(PLUMB_SOURCE_DIR) / "examples", repo, fs::copy_options::recursive);
  REQUIRE(run({"git", "init", "-q", "-b", "main"}, repo).code == 0);
  git_commit(repo, "init");
  const std::string admin = "admin-secret-for-the-secrets-scan-0123456789";
  const std::string token_key = "secrets-scan-token-key-0123456789abcdef";
  std::ofstream(dir / "admin.token") << admin << "\n";
  std::ofstream(dir / "token.key") << token_key << "\n";
  const std::vector<std::string> env = {"PLUMB_DATABASE_URL=" + url, "PLUMB_TOKEN_KEY_FILE=" + (dir / "token.key").string()};
  auto plumb = [&](std::vector<std::string> args) {
    args.insert(args.begin(), PLUMB_BINARY);
    return run(args, {}, env);
  };
  Haystack hay;

  // Mint: plan (every format, saved) and apply.
  REQUIRE(plumb({"migrate"}).code == 0);
  const std::string config = repo.string();
  hay.add("plan text", plumb({"plan", config, "--out", (dir / "plan.json").string()}));
  hay.add("plan json", plumb({"plan", config, "--format", "json"}));
  hay.add("plan markdown", plumb({"plan", config, "--format", "markdown"}));
  hay.add("saved plan", read_file(dir / "plan.json"));
  const Run applied = plumb({"apply", "--plan", (dir / "plan.json").string(), "--auto-approve"});
  REQUIRE(applied.code == 0);
  hay.add("apply", applied);
  const auto minted = token_hashes(url);
  REQUIRE(minted.size() >= 3);
  const std::string first_hash = minted.at("acme-corp/grafana-dashboards");

  // The operator with its API, logging as much as it can.
  const int port = free_port();
  Background op({PLUMB_BINARY, "--log-format", "json", "--log-level", "debug", "run", "--repo", config, "--database-url", url,
                 "--listen", "127.0.0.1:" + std::to_string(port), "--admin-token-file", (dir / "admin.token").string(),
                 "--token-key-file", (dir / "token.key").string(), "--cache-dir", (dir / "cache").string(), "--interval", "1h"},
                dir / "operator.log");
  httplib::Client http("127.0.0.1", port);
  http.set_bearer_token_auth(admin.c_str());
  eventually("/readyz", [&] { auto r = http.Get("/readyz"); return r && r->status == 200; });

  // Reveal once (the one answer allowed to hold the plaintext is not added to the haystack).
  const std::string first = reveal(http, "grafana-dashboards");
  CHECK(first.rfind("plb_", 0) == 0);
  hay.add("second reveal", http.Post("/v1/tenants/acme-corp/tokens/grafana-dashboards/reveal", "", "application/json"));
  CHECK(hay.items.back().second.find("\"error\"") != std::string::npos);
  CHECK(status_with(port, first, "/v1/tenants/acme-corp/workspaces") == 200);
  std::string forged = first;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CHECK(status_with(port, forged, "/v1/tenants/acme-corp/workspaces") == 401);
  CHECK(status_with(port, first, "/v1/tenants/globex/workspaces") == 404);

  // Rotate through Git: spec.rotation bumped, the operator mints a new secret, the old one dies.
  const fs::path access = repo / "tenants/acme-corp/access.yaml";
  std::string yaml = read_file(access);
  const auto at = yaml.find("  role: viewer", yaml.find("name: grafana-dashboards"));
  REQUIRE(at != std::string::npos);
  yaml.insert(at, "  rotation: 1\n");
  std::ofstream(access) << yaml;
  git_commit(repo, "rotate grafana-dashboards");
  hay.add("trigger", http.Post("/v1/syncs", R"({"reason":"rotate"})", "application/json"));
  eventually("the rotated token", [&] {
    auto r = http.Get("/v1/tenants/acme-corp/tokens/grafana-dashboards");
    return r && r->status == 200 && Json::parse(r->body).value("rotation", 0) == 1;
  });
  eventually("the old secret to be refused", [&] { return status_with(port, first, "/v1/tenants/acme-corp/workspaces") == 401; });
  const std::string second = reveal(http, "grafana-dashboards");
  CHECK(second != first);
  CHECK(status_with(port, second, "/v1/tenants/acme-corp/workspaces") == 200);

  // Reveal over the CLI: the secret on stdout only, once.
  const Run cli_reveal = plumb({"token", "reveal", "acme-corp", "airflow-scheduler"});
  REQUIRE(cli_reveal.code == 0);
  const std::string third = cli_reveal.out.substr(0, cli_reveal.out.find_first_of(" \n"));
  CHECK(third.rfind("plb_", 0) == 0);
  hay.add("cli reveal (stderr)", cli_reveal.err);
  hay.add("cli reveal twice", plumb({"token", "reveal", "acme-corp", "airflow-scheduler"}));

  // Every GET route of the OpenAPI document, as the admin and as the revealed tenant token.
  const Json openapi = Json::parse(http.Get("/v1/openapi.json")->body);
  const std::map<std::string, std::string> values = {
      {"{tenant}", "acme-corp"}, {"{workspace}", "analytics"}, {"{pipeline}", "orders-ingest"},
      {"{role}", "viewer"},      {"{token}", "grafana-dashboards"}, {"{id}", "1"}, {"{name}", "viewer"}};
  const Json& paths = openapi["paths"];
  int routes = 0;
  for (auto it = paths.begin(); it != paths.end(); ++it) {
    if (!it.value().contains("get") || it.key() == "/v1/openapi.json") continue;  // prose about secrets
    std::string path = it.key();
    for (const auto& [placeholder, value] : values) {
      for (std::size_t p; (p = path.find(placeholder)) != std::string::npos;) path.replace(p, placeholder.size(), value);
    }
    hay.add("GET " + path + " (admin)", http.Get(path.c_str()));
    httplib::Client tenant("127.0.0.1", port);
    tenant.set_bearer_token_auth(second.c_str());
    hay.add("GET " + path + " (tenant token)", tenant.Get(path.c_str()));
    ++routes;
  }
  CHECK(routes >= 15);
  hay.add("audit list", http.Get("/v1/audit?limit=200"));

  // Plan, drift and audit outputs after the scenario.
  hay.add("plan after", plumb({"plan", config, "--format", "json"}));
  hay.add("drift", plumb({"drift", config, "--format", "json"}));
  hay.add("audit verify", plumb({"audit", "verify", "--format", "json"}));
  CHECK(op.stop() == 0);
  hay.add("operator log", op.output());

  const auto current = token_hashes(url);
  std::map<std::string, std::string> needles = {
      {"first plaintext", first}, {"rotated plaintext", second}, {"cli-revealed plaintext", third},
      {"first plaintext without prefix", first.substr(4)}, {"rotated plaintext without prefix", second.substr(4)},
      {"cli-revealed plaintext without prefix", third.substr(4)}, {"hash before rotation", first_hash},
      {"hash before rotation (upper case)", upper(first_hash)}};
  for (const auto& [token, hash] : current) {
    needles["hash of " + token] = hash;
    needles["hash of " + token + " (upper case)"] = upper(hash);
  }
  CHECK(current.at("acme-corp/grafana-dashboards") != first_hash);

  // Logs and answers must not hold the operator's own secrets either.
  std::map<std::string, std::string> operator_secrets = {{"admin token", admin}, {"token key", token_key}};
  expect_absent(hay, needles);
  expect_absent(hay, operator_secrets);

  Haystack database;
  database.add("pg_dump without api_tokens.secret_hash", dump_without_hash_column(url));
  expect_absent(database, needles);
  // The hashes are where they belong, once each: proves they are real and that the search sees them.
  const std::string full = plumb::testing::pg_dump(url);
  for (const auto& [token, hash] : current) CHECK(occurrences(full, hash) == 1);
  CHECK(occurrences(full, first_hash) == 0);
  fs::remove_all(dir);
}
