// PostgreSQL stopped (`pg_ctl stop -m immediate`, a crash as far as clients can tell) in the
// middle of an operator pass, then started again. Its own executable: it stops the harness's
// server, which every test of a process shares.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

namespace {

// pg_ctl on the harness's server, as its owner (the harness runs it as `postgres` under root).
void pg_ctl(const std::string& args) {
  const auto& server = plumb::testing::pg_server();
  const std::string owner = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
  sh(owner + quote(server.bin_dir + "/pg_ctl") + " " + args + " -D " + quote(server.root_dir + "/data") +
     " >/dev/null 2>&1");
}

void stop_postgres() {
  pg_ctl("stop -m immediate");
}

// The harness's own server options (tests/support/pg_harness.cpp), so it comes back the same.
void start_postgres() {
  const auto& server = plumb::testing::pg_server();
  const std::string opts = "-k " + server.socket_dir + " -p " + std::to_string(server.port) +
                           " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                           " -c full_page_writes=off -c max_connections=60";
  pg_ctl("start -w -t 60 -l " + quote(server.root_dir + "/server.log") + " -o " + quote(opts));
}

// Holds an EXCLUSIVE lock on plumb.pipelines from a psql session in the background until the
// server stops: a pass reads through it, and its apply waits at its first pipeline write.
void hold_pipelines_lock(const OperatorEnv& env) {
  const auto& server = plumb::testing::pg_server();
  sh("(" + quote(server.bin_dir + "/psql") + " -X -q -d " + quote(env.url) +
     " -c 'BEGIN; LOCK TABLE plumb.pipelines IN EXCLUSIVE MODE; SELECT pg_sleep(300)' >/dev/null 2>&1 &)");
  REQUIRE(eventually(std::chrono::seconds(30), [&] {
    return env.sql("SELECT count(*) FROM pg_locks WHERE relation = 'plumb.pipelines'::regclass AND "
                   "mode = 'ExclusiveLock' AND granted") == "1";
  }));
}

// Whether a plumb session waits for a lock (the apply, behind hold_pipelines_lock).
bool plumb_waits_for_lock(const OperatorEnv& env) {
  return env.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'plumb%' AND "
                 "wait_event_type = 'Lock'") != "0";
}

}  // namespace

TEST_CASE(
    "PostgreSQL crashing in the middle of a pass fails the pass cleanly, leaves no lock or open "
    "transaction behind, and the next pass converges",
    "[chaos][postgres]") {
  OperatorEnv env("pgrestart", 1400);
  // Under LeakSanitizer: libpqxx 6.4 leaks a PGresult inside the library each time a session
  // breaks mid-query (a crash breaks several); not plumb's memory, so suppressed for the
  // operator this test starts (children inherit the variable; this process already started).
  const fs::path suppressions = env.tmp.path() / "lsan.supp";
  std::ofstream(suppressions) << "leak:libpqxx-6.4.so\n";
  const char* lsan = std::getenv("LSAN_OPTIONS");
  const std::string lsan_options =
      (lsan != nullptr && *lsan != '\0' ? std::string(lsan) + ":" : std::string()) +
      "suppressions=" + suppressions.string();
  ::setenv("LSAN_OPTIONS", lsan_options.c_str(), 1);
  // The harness runs PostgreSQL with synchronous_commit=off, so a crash may drop transactions
  // it had already acknowledged (their WAL still in shared memory): then the database, not
  // plumb, loses the state the test checks. Commits here are durable against a server crash
  // (fsync stays off: the operating system keeps what was written). A role setting outranks the
  // server's command line and survives the restarts; this executable owns its server.
  env.sql("ALTER ROLE CURRENT_USER SET synchronous_commit = on");
  Replica op = env.start("op", "1h");
  std::mt19937 rng(std::random_device{}());
  int hits = 0;
  for (int round = 1; round <= 3; ++round) {
    REQUIRE(eventually(std::chrono::seconds(90),
                       [&] { return env.runs("failed") + env.runs("succeeded") >= 1; }));
    REQUIRE(eventually(std::chrono::seconds(90), [&] { return env.converged(); }));
    const std::size_t offset = op.process->output().size();
    write_config(env.repo, env.resources, round % 2);
    const std::string commit = git_commit(env.repo, "round " + std::to_string(round));
    // Round 1 stops the server while the pass's apply is surely inside its transaction (waiting
    // for a lock held here); the others at a random moment of the pass, which may have ended
    // by then (a pass of this size takes about 100-200 ms).
    const bool inside_apply = round == 1;
    if (inside_apply) hold_pipelines_lock(env);
    REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);
    REQUIRE(op.process->wait_for_log(" started trigger=", std::chrono::seconds(30), offset));
    const int delay = inside_apply ? 0 : std::uniform_int_distribution<int>(0, 200)(rng);
    if (inside_apply) REQUIRE(eventually(std::chrono::seconds(30), [&] { return plumb_waits_for_lock(env); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    stop_postgres();
    INFO("round " << round << ": PostgreSQL stopped "
                  << (inside_apply ? std::string("while the apply waited for a lock")
                                   : std::to_string(delay) + " ms after the pass started"));

    // While the database is down: the process lives, says it is live and not ready, and logs the failure.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    CHECK(op.process->running());
    CHECK(http_get(op.port, "/healthz").first == 200);
    CHECK(http_get(op.port, "/readyz").first == 503);
    const bool failed = op.process->output().find("failed commit=", offset) != std::string::npos;
    if (inside_apply) CHECK(failed);
    if (failed) ++hits;

    start_postgres();
    // The next pass converges; nothing of the interrupted one is left in the server.
    REQUIRE(eventually(std::chrono::seconds(90), [&] { return env.runs("succeeded", commit) >= 1; }));
    CHECK(env.converged());
    CHECK(env.runs("succeeded", commit) == 1);
    CHECK(env.runs("running") == 0);
    // The pass that failed while the server was down is on record once it is back.
    if (failed) CHECK(eventually(std::chrono::seconds(10), [&] { return env.runs("failed", commit) >= 1; }));
    // A pass that finished before the stop has its commit on record at once, while the leader
    // may still be reconnecting its lock session: wait until it holds its lock again.
    const std::string leader_locks =
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = "
        "'advisory' AND a.application_name = 'plumb-leader'";
    CHECK(eventually(std::chrono::seconds(30), [&] { return env.sql(leader_locks) == "1"; }));
    for (int sample = 0; sample < 5; ++sample) {
      CHECK(plumb_sessions(env.url, "state LIKE 'idle in transaction%'") == 0);
      // Only the leader's session lock: no apply or migrate lock survives.
      CHECK(env.sql(leader_locks) == "1");
      CHECK(advisory_locks(env.url) == 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    CHECK(env.sql("SELECT count(*) FROM plumb.audit_log WHERE commit = '" + commit + "'") ==
          std::to_string(variant_changes(env.resources)));
    CHECK(run_plumb({"audit", "verify"}, env.env()).code == 0);
    WARN("round " << round << ": stopped " << (inside_apply ? "inside the apply" : std::to_string(delay) + " ms")
                  << " into the pass; the pass "
                  << (failed ? "failed (logged)" : "had finished before the stop"));
  }
  WARN("PostgreSQL crashed inside " << hits << " of 3 passes");
  CHECK(hits >= 1);  // round 1's crash, at least, landed inside a pass
  CHECK(op.process->running());
  const int exit_code = op.process->stop();
  INFO(op.process->tail());
  CHECK(exit_code == 0);
}
