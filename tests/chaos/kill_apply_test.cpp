// DESIGN §6 "nothing half-applied": `plumb apply` of a large config is SIGKILLed at random
// moments; whatever moment it dies at, the database holds the old state or the new one (never a
// mix), the audit chain verifies, no session or lock is left behind, and the next apply
// converges. Scale: PLUMB_CHAOS_SCALE resources (default 1000), PLUMB_CHAOS_ROUNDS kills
// (default 10), PLUMB_CHAOS_SEED to replay a run.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "tests/chaos/chaos_support.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb::chaos;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::size_t env_or(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? static_cast<std::size_t>(std::stoull(v)) : fallback;
}

// True while some apply holds the store's transaction-scoped apply lock (class 0x7061 = 28769):
// its transaction is open.
bool apply_lock_held(const std::string& url) {
  return query(url,
               "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 28769 "
               "AND objsubid = 2 AND granted") != "0";
}

}  // namespace

TEST_CASE(
    "SIGKILL at any moment of an apply leaves the old or the new state, a verifying audit chain, "
    "and the next apply converges",
    "[chaos][kill]") {
  const std::size_t scale = chaos_scale(1000);
  const std::size_t rounds = env_or("PLUMB_CHAOS_ROUNDS", 10);
  const auto seed = static_cast<unsigned>(env_or("PLUMB_CHAOS_SEED", std::random_device{}()));
  std::mt19937 rng(seed);

  TempDir tmp("kill");
  const std::string url = plumb::testing::fresh_database();
  sh("printf 0123456789abcdef0123456789abcdef > " + quote((tmp.path() / "token.key").string()));
  const std::string env = "PLUMB_DATABASE_URL=" + quote(url) +
                          " PLUMB_TOKEN_KEY_FILE=" + quote((tmp.path() / "token.key").string());
  const fs::path dirs[2] = {tmp.path() / "a", tmp.path() / "b"};
  const std::size_t resources = write_config(dirs[0], scale, 0);
  write_config(dirs[1], scale, 1);
  const auto changes = static_cast<std::int64_t>(variant_changes(scale));
  REQUIRE(run_plumb({"migrate"}, env).code == 0);

  // Reference states: each variant applied without interruption, timed.
  auto apply = [&](int v) { return run_plumb({"apply", dirs[v].string(), "--auto-approve"}, env); };
  {
    auto first = apply(0);
    INFO(first.out.substr(0, 3000));
    REQUIRE(first.code == 0);
  }
  const Fingerprint fp_a = fingerprint(url);
  const std::int64_t audit_a = audit_rows(url);
  // Timed in the background: the whole command, and how long its transaction holds the apply lock.
  std::int64_t full_ms = 0, tx_ms = 0;
  {
    auto start = Clock::now();
    Process full({"apply", dirs[1].string(), "--auto-approve"}, env, tmp.path() / "apply.log");
    REQUIRE(eventually(std::chrono::seconds(120), [&] { return apply_lock_held(url) || !full.running(); }));
    const auto tx_start = Clock::now();
    REQUIRE(eventually(std::chrono::seconds(120), [&] { return !apply_lock_held(url); }));
    tx_ms = ms_since(tx_start);
    REQUIRE(full.wait() == 0);
    full_ms = ms_since(start);
  }
  const Fingerprint fp_b = fingerprint(url);
  REQUIRE(audit_rows(url) == audit_a + changes);
  REQUIRE(apply(0).code == 0);
  REQUIRE(fingerprint(url) == fp_a);  // the fingerprint ignores what differs between two applies
  REQUIRE_FALSE(fp_a == fp_b);
  const Fingerprint states[2] = {fp_a, fp_b};

  int state = 0;
  int kept_old = 0, got_new = 0, inside_tx = 0, finished_first = 0;
  std::uniform_int_distribution<std::int64_t> delay(0, full_ms + full_ms / 10);
  std::uniform_int_distribution<std::int64_t> tx_delay(0, tx_ms + tx_ms / 5);
  for (std::size_t round = 0; round < rounds; ++round) {
    const int target = 1 - state;
    const std::int64_t audit_before = audit_rows(url);
    // Even rounds: any moment of the command. Odd rounds: a moment of its transaction (most of
    // a command's time goes to loading and planning, before the transaction opens).
    const bool in_tx_round = round % 2 == 1;
    const std::int64_t kill_at = in_tx_round ? tx_delay(rng) : delay(rng);
    INFO("seed " << seed << " round " << round << " kill at " << kill_at << " ms of ~"
                 << (in_tx_round ? tx_ms : full_ms) << " ms "
                 << (in_tx_round ? "(transaction)" : "(command)"));
    int status = 0;
    bool open_tx = false;
    {
      Process killed({"apply", dirs[target].string(), "--auto-approve"}, env, tmp.path() / "apply.log");
      if (in_tx_round) {
        REQUIRE(
            eventually(std::chrono::seconds(120), [&] { return apply_lock_held(url) || !killed.running(); }));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kill_at));
      // Is the apply's transaction open at the moment of the kill? (Asked just before: the
      // backend of a killed client rolls back as soon as it notices the closed socket.)
      open_tx = apply_lock_held(url);
      killed.signal(SIGKILL);
      status = killed.wait();
    }
    if (WIFEXITED(status)) ++finished_first;
    if (open_tx) ++inside_tx;
    // No session of the dead process survives, so nothing can still commit behind our back.
    REQUIRE(eventually(std::chrono::seconds(30), [&] { return plumb_sessions(url) == 0; }));
    REQUIRE(advisory_locks(url) == 0);

    const Fingerprint now = fingerprint(url);
    INFO("state after the kill " << describe(now) << "; old " << describe(states[state]) << "; new "
                                 << describe(states[target]));
    REQUIRE((now == states[state] || now == states[target]));
    const bool moved = now == states[target];
    moved ? ++got_new : ++kept_old;
    // The audit rows commit with the changes: all of them or none.
    CHECK(audit_rows(url) == audit_before + (moved ? changes : 0));
    auto verify = run_plumb({"audit", "verify"}, env);
    CHECK(verify.code == 0);
    INFO(verify.out);

    // The next apply converges: afterwards the plan of the target is empty.
    REQUIRE(apply(target).code == 0);
    CHECK(run_plumb({"plan", dirs[target].string(), "--detailed-exitcode"}, env).code == 0);
    CHECK(fingerprint(url) == states[target]);
    state = target;
  }
  WARN("kill rounds: " << rounds << " at " << resources << " resources (" << changes
                       << " changes per apply, full apply " << full_ms << " ms, its transaction " << tx_ms
                       << " ms, seed " << seed << "): old state kept " << kept_old << ", new state "
                       << got_new << ", killed with the transaction open " << inside_tx
                       << ", finished before the kill " << finished_first);
  CHECK(inside_tx + got_new > 0);  // at least one kill hit the transaction or its commit
}
