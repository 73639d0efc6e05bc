#include "reconciler/cli/operator_runtime.hpp"

#include <atomic>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/controller_bridge.hpp"
#include "api/server.hpp"
#include "api/store_bridge.hpp"
#include "reconciler/cli/signals.hpp"
#include "reconciler/cli/terminal.hpp"
#include "reconciler/controller/wiring.hpp"
#include "reconciler/model/kind.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::cli {

bool parse_listen(const std::string& listen, std::string& host, int& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  port = std::stoi(digits);
  return port <= 65535;
}

std::string derived_key(const std::string& token_key, const std::string& purpose) {
  if (token_key.empty()) return crypto::random_bytes(32);
  return crypto::hmac_sha256_raw(token_key, "plumb/" + purpose);
}

namespace {

// Feeds a finished pass into the API's Prometheus figures: its duration by outcome and, when it
// applied a plan, the changes by kind and action.
void observe_pass(api::Metrics& metrics, const controller::RunRecord& run) {
  const double seconds = std::chrono::duration<double>(run.finished_at - run.started_at).count();
  metrics.observe_pass(run.status, seconds);
  if (run.status != "succeeded" || !run.plan) return;
  for (const plan::Change& change : run.plan->changes) {
    metrics.add_applied(model::kind_name(change.key.kind), plan::action_name(change.action), 1);
  }
}

}  // namespace

int serve(RuntimeConfig config, std::unique_ptr<source::Source> source) {
  std::string described = source->describe();
  controller::PostgresWiring wiring{config.database_url, config.store};
  controller::Seams seams = controller::postgres_seams(std::move(source), wiring);
  // The API (and its metrics) is built after the controller it reports on: passes finishing
  // before then are simply not counted.
  std::atomic<api::Metrics*> metrics{nullptr};
  seams.on_pass = [&metrics](const controller::RunRecord& run) {
    if (api::Metrics* m = metrics.load()) observe_pass(*m, run);
  };
  controller::Controller ctl(config.controller, std::move(seams));
  ctl.start();
  spdlog::info("controller started: source={} interval_ms={} self_heal={}", described,
               config.controller.interval.count(), config.controller.self_heal);

  api::Server server(config.api, api::make_controller_hooks(ctl), api::make_store_hooks(config.database_url, config.store));
  if (auto started = server.start(); !started) {
    ctl.stop();
    return fail("cannot serve the API on " + config.api.host + ":" + std::to_string(config.api.port) + ": " +
                started.error().message);
  }
  metrics = &server.metrics();
  spdlog::info("API listening on {}:{}", config.api.host, server.port());
  if (config.on_ready) config.on_ready(server.port());

  // After every pass and every drift recomputation, cached API answers (the drift summary) may be stale.
  std::atomic<bool> stopping{false};
  std::thread watcher([&] {
    std::uint64_t seen = ctl.drift_changes();
    while (!stopping) {
      if (ctl.wait_for_drift_change(seen, std::chrono::milliseconds(500))) server.invalidate_caches();
    }
  });
  while (!wait_for_shutdown(std::chrono::seconds(1))) {
  }
  spdlog::info("shutting down: stopping the API, then the controller");
  stopping = true;
  server.stop();
  ctl.stop();
  watcher.join();
  spdlog::info("stopped cleanly");
  return k_exit_ok;
}

}  // namespace plumb::cli
