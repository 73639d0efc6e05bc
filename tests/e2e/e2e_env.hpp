#pragma once
// The world of an end-to-end controller test: a fresh database on the harness's private
// PostgreSQL (migrated by the real store), a Git repository built with the git CLI, and
// Controllers wired exactly as `plumb run` wires them (GitSource, store port, advisory-lock
// session, LISTEN session), with short intervals.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "reconciler/controller/controller.hpp"
#include "reconciler/controller/pg_session.hpp"
#include "reconciler/controller/wiring.hpp"
#include "reconciler/source/git_source.hpp"
#include "reconciler/store/store.hpp"
#include "tests/source/git_fixture.hpp"
#include "tests/support/pg_harness.hpp"

namespace plumb::testing {

// Polls `done` every 20 ms until it holds or `timeout` passes.
inline bool eventually(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

inline std::string tenant_yaml(const std::string& name, const std::string& plan) {
  return "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: " + name + "\nspec:\n  displayName: " + name +
         "\n  plan: " + plan + "\n  adminEmail: admin@" + name + ".example.com\n";
}

class E2eEnv {
 public:
  E2eEnv() : tmp("plumb-e2e"), repo(tmp.path() / "config"), url(fresh_database()) {
    auto migrated = store::migrate(url);
    if (!migrated) throw std::runtime_error("migrate: " + migrated.error().message);
  }

  controller::ControllerOptions options() const {
    controller::ControllerOptions o;
    o.interval = std::chrono::milliseconds(200);
    o.jitter = 0.0;
    o.leader_poll = std::chrono::milliseconds(200);
    o.drift_poll = std::chrono::milliseconds(1000);
    o.backoff.initial = std::chrono::milliseconds(100);
    o.backoff.max = std::chrono::milliseconds(400);
    return o;
  }

  // A controller with its own Git cache (like a separate replica); not started.
  std::unique_ptr<controller::Controller> controller(std::optional<controller::ControllerOptions> opts = {}) {
    caches.push_back(std::make_unique<TempDir>("plumb-e2e-cache"));
    source::GitSourceOptions g;
    g.repo = repo.url();
    g.ref = "main";
    g.cache_dir = caches.back()->str();
    auto src = source::GitSource::open(g);
    if (!src) throw std::runtime_error(src.error().message);
    return controller_over(std::move(*src), opts);
  }

  // A controller reading `source` (e.g. a DirectorySource); not started.
  std::unique_ptr<controller::Controller> controller_over(std::unique_ptr<source::Source> source,
                                                          std::optional<controller::ControllerOptions> opts = {}) {
    controller::PostgresWiring wiring;
    wiring.database_url = url;
    wiring.leader_key = leader_key;
    auto seams = controller::postgres_seams(std::move(source), wiring);
    return std::make_unique<controller::Controller>(opts.value_or(options()), std::move(seams));
  }

  // The first column of the first row as text ("" for NULL or no row).
  std::string scalar(const std::string& sql) const {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    auto rows = tx.exec(sql);
    if (rows.empty() || rows[0][0].is_null()) return "";
    return rows[0][0].c_str();
  }

  // The status of the operator pass `id` once it has finished and recorded its timings, ""
  // before that.
  std::string pass_status(const std::string& id) const {
    return scalar("SELECT coalesce(max(status), '') FROM plumb.sync_runs WHERE id = '" + id +
                  "' AND finished_at IS NOT NULL AND counts ? 'fetch_ms'");
  }

  void exec(const std::string& sql) const {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec(sql);
  }

  int audit_rows_for_tenant(const std::string& tenant) const {
    return std::stoi(scalar("SELECT count(*) FROM plumb.audit_log WHERE kind = 'Tenant' AND name = '" + tenant +
                            "' AND actor_type = 'git'"));
  }

  TempDir tmp;
  GitRepo repo;
  std::string url;
  std::int64_t leader_key = 0x5e5e;
  std::vector<std::unique_ptr<TempDir>> caches;
};

}  // namespace plumb::testing
