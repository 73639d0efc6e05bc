// The API in front of a real controller reconciling examples/ into a private PostgreSQL: what
// `plumb run` / `plumb dev` serve. Passes are triggered through the API; a hand edit in the
// database appears in GET /v1/drift. Under the `tsan` preset the second test is the one that
// makes request threads, the controller and its drift poller touch shared state at once.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api/controller_bridge.hpp"
#include "api/store_bridge.hpp"
#include "reconciler/controller/wiring.hpp"
#include "reconciler/source/directory_source.hpp"
#include "tests/api/http_support.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::api;
using namespace plumb::api::testing;

namespace {

// A controller reconciling examples/ into a fresh database, and the API in front of it.
struct LiveOperator {
  std::string url = plumb::testing::fresh_database();
  store::StoreOptions store_options;
  std::unique_ptr<controller::Controller> ctl;
  std::unique_ptr<Server> server;

  explicit LiveOperator(const std::function<void(ApiConfig&)>& tune = {}) {
    store_options.token_key = "token-key-for-api-e2e";
    REQUIRE(store::migrate(url, store_options));
    controller::ControllerOptions options;
    options.interval = controller::Millis(600'000);
    options.drift_poll = controller::Millis(500);
    auto source = std::make_unique<source::DirectorySource>(std::string(PLUMB_SOURCE_DIR) + "/examples", load::LoadLimits{});
    ctl = std::make_unique<controller::Controller>(options, controller::postgres_seams(std::move(source), {url, store_options}));
    ctl->start();
    REQUIRE(ctl->wait_for_pass(std::chrono::seconds(60)));
    ApiConfig config = test_config(url);
    config.token_key = store_options.token_key;
    config.drift_cache_ttl = std::chrono::milliseconds(200);
    if (tune) tune(config);
    server = std::make_unique<Server>(config, make_controller_hooks(*ctl), make_store_hooks(url, store_options));
    REQUIRE(server->start());
  }
  ~LiveOperator() {
    server->stop();
    ctl->stop();
  }
};

}  // namespace

TEST_CASE("the API serves a live controller: trigger, state, readiness and drift of a hand edit", "[api][e2e]") {
  LiveOperator op;
  const std::string& url = op.url;
  auto cli = client(*op.server);

  auto ready = cli->Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  const Json tenants = body_json(cli->Get("/v1/tenants", bearer(k_admin)));
  REQUIRE(tenants["data"].size() >= 1);
  const std::string tenant = tenants["data"][0]["name"];
  CHECK(body_json(cli->Get("/v1/drift", bearer(k_admin)))["summary"]["total"] == 0);
  CHECK(body_json(cli->Get("/v1/syncs", bearer(k_admin)))["data"].size() >= 1);

  auto triggered = cli->Post("/v1/syncs", bearer(k_admin, {{"X-Correlation-Id", "e2e-trigger-0001"}}), "", "application/json");
  REQUIRE(triggered);
  CHECK(triggered->status == 202);
  // The pass may finish before any wait could start (an in-sync pass takes a millisecond), so
  // look for its sync run rather than waiting for "the next" pass.
  bool recorded = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       !recorded && std::chrono::steady_clock::now() < until;
       std::this_thread::sleep_for(std::chrono::milliseconds(20))) {
    const Json syncs = body_json(cli->Get("/v1/syncs", bearer(k_admin)));
    for (const auto& run : syncs["data"]) {
      if (run.value("correlationId", "") == "e2e-trigger-0001" && run.value("finishedAt", Json()).is_string()) recorded = true;
    }
  }
  CHECK(recorded);

  {
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    tx.exec_params("UPDATE plumb.tenants SET display_name = 'Edited by hand' WHERE name = $1", tenant);
    tx.commit();
  }
  const auto edited = std::chrono::steady_clock::now();
  Json drift;
  while (std::chrono::steady_clock::now() - edited < std::chrono::seconds(10)) {
    drift = body_json(cli->Get("/v1/drift?type=modified", bearer(k_admin)));
    if (drift["summary"]["total"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const auto seen_after = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - edited);
  INFO("hand edit visible in GET /v1/drift after " << seen_after.count() << " ms");
  REQUIRE(drift["summary"]["total"] == 1);
  CHECK(drift["data"][0]["name"] == tenant);
  CHECK(seen_after < std::chrono::seconds(3));
  WARN("hand edit visible in GET /v1/drift after " << seen_after.count() << " ms");
}

TEST_CASE("concurrent readers, triggers and hand edits while passes run", "[api][e2e][concurrency]") {
  LiveOperator op([](ApiConfig& config) {
    config.rate_limit_per_minute = 1'000'000;
    config.drift_cache_ttl = std::chrono::milliseconds(0);  // every drift read goes to the database
  });
  const std::vector<std::string> reads = {"/v1/status", "/v1/drift", "/metrics", "/v1/syncs?limit=5",
                                          "/v1/tenants", "/v1/audit?limit=5", "/readyz"};
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 4; ++r) {
    threads.emplace_back([&, r] {
      auto cli = client(*op.server);
      for (std::size_t i = static_cast<std::size_t>(r); !stop; ++i) {
        auto res = cli->Get(reads[i % reads.size()].c_str(), bearer(k_admin));
        if (res && res->status == 200) ++answered;
        else ++unexpected;
      }
    });
  }
  threads.emplace_back([&] {  // passes on demand, back to back
    auto cli = client(*op.server);
    for (int i = 0; !stop; ++i) {
      auto res = cli->Post("/v1/syncs", bearer(k_admin), "", "application/json");
      if (!res || (res->status != 202 && res->status != 409 && res->status != 429)) ++unexpected;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  threads.emplace_back([&] {  // out-of-band edits for the drift poller and the passes to find
    pqxx::connection conn(op.url);
    for (int i = 0; !stop; ++i) {
      pqxx::work tx(conn);
      tx.exec_params("UPDATE plumb.tenants SET display_name = $1 WHERE name = (SELECT min(name) FROM plumb.tenants)",
                     "Edited " + std::to_string(i));
      tx.commit();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  for (auto& t : threads) t.join();
  INFO(answered << " reads answered, " << unexpected << " unexpected answers");
  CHECK(unexpected == 0);
  CHECK(answered > 20);
  const Json syncs = body_json(client(*op.server)->Get("/v1/syncs?limit=100", bearer(k_admin)));
  CHECK(syncs["data"].size() >= 3);  // the first pass and triggered ones ran meanwhile
}
