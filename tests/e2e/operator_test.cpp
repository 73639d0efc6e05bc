// End-to-end: a real Git repository made by the test, the real PostgreSQL from the harness, the
// real store, and one or two Controllers as `plumb run` builds them (short intervals, no sleeps
// beyond polling for the expected outcome).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "reconciler/source/directory_source.hpp"
#include "tests/e2e/e2e_env.hpp"

using namespace plumb;
using namespace plumb::controller;
using namespace std::chrono_literals;
using plumb::testing::E2eEnv;
using plumb::testing::eventually;
using plumb::testing::tenant_yaml;

TEST_CASE("a pushed commit is applied within one interval", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  auto ctl = env.controller();
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  const std::string commit = env.repo.commit("acme grows");
  const auto pushed = std::chrono::steady_clock::now();
  REQUIRE(eventually(3s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "growth"; }));
  const auto took = std::chrono::steady_clock::now() - pushed;
  WARN("commit applied " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms after push");
  CHECK(took < 1500ms);  // interval 200 ms plus a pass
  CHECK(ctl->health().last_good_commit == commit);
  CHECK(env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE commit = '" + commit + "' AND status = 'succeeded'") == "1");
}

TEST_CASE("a commit that does not validate is refused and the previous state kept", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  const std::string good = env.repo.commit("good");
  auto ctl = env.controller();
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  env.repo.write("tenants/bad.yaml", "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata: {name: bad}\nspec: {plan: platinum}\n");
  const std::string bad = env.repo.commit("bad");
  REQUIRE(eventually(5s, [&] {
    return env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE commit = '" + bad + "' AND status = 'failed'") != "0";
  }));
  CHECK(env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "starter");  // nothing partially applied
  CHECK(env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'bad'") == "0");
  auto h = ctl->health();
  CHECK(h.last_good_commit == good);
  CHECK(h.last_pass_status == "failed");
  CHECK(h.consecutive_failures >= 1);
  CHECK(h.live);
}

TEST_CASE("a symlink to a file outside the repository is refused and its content never read", "[e2e][controller]") {
  E2eEnv env;
  const std::string marker = "outside-marker-5d1c";
  testing::write_file(env.tmp.path() / "outside.yaml", tenant_yaml("stolen", "starter") + "# " + marker + "\n");
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  std::filesystem::create_directories(env.repo.dir() / "tenants");
  std::filesystem::create_symlink(env.tmp.path() / "outside.yaml", env.repo.dir() / "tenants/stolen.yaml");
  const std::string commit = env.repo.commit("with a symlink");
  auto ctl = env.controller();
  ctl->start();
  REQUIRE(eventually(5s, [&] {
    return env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE commit = '" + commit + "' AND status = 'failed'") != "0";
  }));
  CHECK(env.scalar("SELECT count(*) FROM plumb.tenants") == "0");
  CHECK(env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE sync_runs::text LIKE '%" + marker + "%'") == "0");
  CHECK(env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE error LIKE '%SYMLINK_REFUSED%'") != "0");
}

TEST_CASE("an out-of-band UPDATE shows up as drift within a second and stays without self-heal", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;   // only NOTIFY can make it notice in time
  opts.drift_poll = 60s;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") == "0"; }));
  // The startup pass counts as a drift change when it finishes, a little after its rows are
  // visible: take `seen` only once it has (health and the count move under one lock).
  REQUIRE(eventually(5s, [&] { return ctl->health().last_pass_status == "succeeded"; }));
  // No pass comes (interval 60 s), so only the drift recomputation can wake this waiter: it is
  // what makes `plumb run` drop the API's cached drift at once instead of after its TTL.
  std::uint64_t seen = ctl->drift_changes();
  auto woken = std::async(std::launch::async, [&] { return ctl->wait_for_drift_change(seen, 2s); });
  std::this_thread::sleep_for(50ms);  // let the waiter start before the edit
  const auto edited = std::chrono::steady_clock::now();
  env.exec("UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") != "0"; }));
  const auto took = std::chrono::steady_clock::now() - edited;
  WARN("drift recorded " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms after the edit");
  CHECK(took < 1s);
  CHECK(woken.get());
  std::this_thread::sleep_for(300ms);
  CHECK(env.scalar("SELECT display_name FROM plumb.tenants WHERE name = 'acme'") == "Hand edited");
  // A change made while nobody waits is not missed by the next wait with the same `seen`.
  CHECK_FALSE(ctl->wait_for_drift_change(seen, 0ms));
  env.exec("UPDATE plumb.tenants SET display_name = 'acme' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") == "0"; }));
  CHECK(ctl->wait_for_drift_change(seen, 0ms));
}

TEST_CASE("drift follows out-of-band edits, a rename and a revert row by row between passes", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.write("tenants/beta.yaml", tenant_yaml("beta", "starter"));
  env.repo.commit("acme and beta");
  ControllerOptions opts = env.options();
  opts.interval = 60s;  // no pass and no full check: only what NOTIFY names is re-read
  opts.drift_poll = 60s;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants") == "2"; }));
  auto drift = [&] {
    return env.scalar("SELECT coalesce(string_agg(type || ' ' || name, ', ' ORDER BY name), '') FROM plumb.drift_items");
  };
  REQUIRE(eventually(2s, [&] { return drift().empty(); }));
  env.exec("UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return drift() == "modified acme"; }));
  env.exec("UPDATE plumb.tenants SET name = 'gamma' WHERE name = 'beta'");
  REQUIRE(eventually(2s, [&] { return drift() == "modified acme, missing beta, orphaned gamma"; }));
  env.exec("UPDATE plumb.tenants SET display_name = 'acme' WHERE name = 'acme'");  // as in Git again
  REQUIRE(eventually(2s, [&] { return drift() == "missing beta, orphaned gamma"; }));
  env.exec("DELETE FROM plumb.tenants WHERE name = 'gamma'");
  REQUIRE(eventually(2s, [&] { return drift() == "missing beta"; }));
}

TEST_CASE("an apply note heard with a row's note reads by key only if the drift already holds that apply",
          "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.write("tenants/beta.yaml", tenant_yaml("beta", "starter"));
  env.repo.commit("acme and beta");
  ControllerOptions opts = env.options();
  opts.interval = 60s;
  opts.drift_poll = 60s;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_state WHERE checked_at IS NOT NULL") == "1"; }));
  const std::string applied = env.scalar("SELECT max(revision) FROM plumb.sync_runs");
  auto drift = [&] {
    return env.scalar("SELECT coalesce(string_agg(type || ' ' || name, ', ' ORDER BY name), '') FROM plumb.drift_items");
  };
  // A write only a full read can see: posing as an apply silences its NOTIFY.
  env.exec("SELECT set_config('plumb.sync_run', 'posing', true); "
           "UPDATE plumb.tenants SET display_name = 'silent' WHERE name = 'beta'");
  // The operator's own apply note arriving late, with a hand edit's note: read by key.
  env.exec("SELECT pg_notify('plumb_changes', '{\"op\":\"apply\",\"syncRunId\":\"x\",\"revision\":" + applied +
           "}'); UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return drift() == "modified acme"; }));
  std::this_thread::sleep_for(300ms);
  CHECK(drift() == "modified acme");  // beta's silent write unseen: no full read happened
  // An apply the drift cannot hold (a later revision, another writer): everything is read.
  env.exec("SELECT pg_notify('plumb_changes', '{\"op\":\"apply\",\"syncRunId\":\"y\",\"revision\":999999}'); "
           "UPDATE plumb.tenants SET display_name = 'acme' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return drift() == "modified beta"; }));
}

TEST_CASE("a write that sends no NOTIFY is still found by the periodic drift check", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;
  opts.drift_poll = 300ms;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants") == "1"; }));
  env.exec("UPDATE plumb.tenants SET display_name = 'heard' WHERE name = 'acme'");  // re-read by key
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") == "1"; }));
  // Posing as plumb's own apply silences the out-of-band trigger: only the change counter moves.
  env.exec("SELECT set_config('plumb.sync_run', 'posing', true); "  // one query string: one implicit transaction
           "UPDATE plumb.tenants SET display_name = 'acme' WHERE name = 'acme'");
  REQUIRE(eventually(3s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") == "0"; }));
}

TEST_CASE("a pass after an in-sync pass still sees an out-of-band edit made in between", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;   // passes come only when triggered
  opts.drift_poll = 60s;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  auto status_of = [&](const Result<std::string>& id) { return env.pass_status(*id); };
  auto pass = [&](const std::string& correlation) {
    auto id = ctl->trigger(Request{Trigger::api, correlation});
    REQUIRE(id);
    return id;
  };
  auto in_sync = pass("corr-e2e-insync-01");
  REQUIRE(eventually(3s, [&] { return status_of(in_sync) == "no_changes"; }));
  auto unchanged = pass("corr-e2e-insync-02");  // neither Git nor the database moved: reused
  REQUIRE(eventually(3s, [&] { return status_of(unchanged) == "no_changes"; }));
  env.exec("UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") != "0"; }));
  auto after_edit = pass("corr-e2e-insync-03");
  REQUIRE(eventually(3s, [&] { return status_of(after_edit) == "drift"; }));
  CHECK(env.scalar("SELECT display_name FROM plumb.tenants WHERE name = 'acme'") == "Hand edited");
}

// The operator plans on the rows it kept from its last pass (patched with what it applied) while
// the change counter has not moved. A row deleted by hand after that apply must still be seen by
// the next commit's pass, which applies the whole revision and so re-creates it.
TEST_CASE("a commit after an apply is planned on current rows, not on the ones kept from the apply", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.write("tenants/beta.yaml", tenant_yaml("beta", "starter"));
  env.repo.commit("acme and beta");
  ControllerOptions opts = env.options();
  opts.interval = 60s;  // passes come only when triggered
  opts.drift_poll = 60s;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants") == "2"; }));
  auto pass_status = [&](const std::string& correlation) {
    auto id = ctl->trigger(Request{Trigger::api, correlation});
    REQUIRE(id);
    std::string status;
    REQUIRE(eventually(5s, [&] {
      status = env.pass_status(*id);
      return !status.empty();
    }));
    return status;
  };
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  env.repo.commit("acme grows");
  CHECK(pass_status("corr-e2e-kept-01") == "succeeded");  // applied: the kept rows are patched
  env.exec("DELETE FROM plumb.tenants WHERE name = 'beta'");
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") != "0"; }));
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "enterprise"));
  env.repo.commit("acme grows again");
  CHECK(pass_status("corr-e2e-kept-02") == "succeeded");
  CHECK(env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "enterprise");
  CHECK(env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'beta' AND deleted_at IS NULL") == "1");
  CHECK(pass_status("corr-e2e-kept-03") == "no_changes");
}

TEST_CASE("with self-heal an out-of-band UPDATE is reverted", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;
  opts.self_heal = true;
  auto ctl = env.controller(opts);
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  env.exec("UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(3s, [&] { return env.scalar("SELECT display_name FROM plumb.tenants WHERE name = 'acme'") == "acme"; }));
}

TEST_CASE("two replicas on one database apply each change exactly once", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  auto a = env.controller();
  auto b = env.controller();
  a->start();
  b->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  CHECK(a->health().leader != b->health().leader);
  for (const char* plan : {"growth", "enterprise"}) {
    env.repo.write("tenants/acme.yaml", tenant_yaml("acme", plan));
    env.repo.commit(plan);
    REQUIRE(eventually(3s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == plan; }));
  }
  std::this_thread::sleep_for(600ms);  // several more intervals on both replicas
  CHECK(env.audit_rows_for_tenant("acme") == 3);  // one create, two updates
  CHECK(env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE status = 'succeeded'") == "3");
}

TEST_CASE("killing the leader's session hands leadership over within seconds", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  auto a = env.controller();
  auto b = env.controller();
  a->start();
  REQUIRE(eventually(5s, [&] { return a->health().leader; }));
  b->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  const auto killed = std::chrono::steady_clock::now();
  env.exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = " +
           std::to_string(env.leader_key & 0xffffffff));
  REQUIRE(eventually(5s, [&] { return a->health().leader != b->health().leader && (a->health().leader || b->health().leader); }));
  // Whoever leads now applies the next commit.
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  env.repo.commit("grow");
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "growth"; }));
  WARN("handover and apply took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count() << " ms");
}

TEST_CASE("stop returns promptly and the lock passes to the other replica", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  auto a = env.controller();
  auto b = env.controller();
  a->start();
  REQUIRE(eventually(5s, [&] { return a->health().leader; }));
  b->start();
  REQUIRE(eventually(3s, [&] { return b->health().ready; }));
  CHECK_FALSE(b->health().leader);
  const auto t0 = std::chrono::steady_clock::now();
  a->stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK_FALSE(a->health().live);
  REQUIRE(eventually(3s, [&] { return b->health().leader; }));
}

TEST_CASE("webhook requests coalesce, reach the leader through a follower, and run a pass at once", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;
  auto a = env.controller(opts);
  a->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  auto b = env.controller(opts);
  b->start();
  REQUIRE(eventually(3s, [&] { return b->health().ready; }));
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  env.repo.commit("grow");
  auto id1 = b->trigger(Request{Trigger::webhook, "corr-e2e-0001"});
  REQUIRE(id1);
  REQUIRE(eventually(3s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "growth"; }));
  CHECK(env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE trigger = 'webhook'") == "1");
}

TEST_CASE("an unreachable repository keeps the last good state, is recorded, and recovers", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  const std::string good = env.repo.commit("acme");
  auto ctl = env.controller();
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  const auto moved = env.tmp.path() / "moved-away";
  std::filesystem::rename(env.repo.dir(), moved);
  REQUIRE(eventually(3s, [&] {
    return env.scalar("SELECT count(*) FROM plumb.sync_runs WHERE status = 'failed' AND error LIKE 'GIT_FETCH_FAILED%'") != "0";
  }));
  auto h = ctl->health();
  CHECK(h.live);
  CHECK(h.last_good_commit == good);
  CHECK(env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1");
  std::filesystem::rename(moved, env.repo.dir());
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "growth"));
  env.repo.commit("grow after the outage");
  // Backoff is capped at 400 ms in these tests.
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "growth"; }));
  // The apply commits inside the pass; its health is updated when the pass finishes, just after.
  CHECK(eventually(2s, [&] { return ctl->health().consecutive_failures == 0; }));
}

TEST_CASE("a plain directory source is reconciled and its edits applied (plumb dev)", "[e2e][controller]") {
  E2eEnv env;
  const auto dir = env.tmp.path() / "plain";
  testing::write_file(dir / "acme.yaml", tenant_yaml("acme", "starter"));
  auto ctl = env.controller_over(std::make_unique<source::DirectorySource>(dir, load::LoadLimits{}));
  ctl->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  testing::write_file(dir / "acme.yaml", tenant_yaml("acme", "growth"));
  REQUIRE(eventually(3s, [&] { return env.scalar("SELECT plan FROM plumb.tenants WHERE name = 'acme'") == "growth"; }));
  // The same directory content again is the same revision: a hand edit is drift, not reverted.
  env.exec("UPDATE plumb.tenants SET display_name = 'Hand edited' WHERE name = 'acme'");
  REQUIRE(eventually(2s, [&] { return env.scalar("SELECT count(*) FROM plumb.drift_items") != "0"; }));
  std::this_thread::sleep_for(500ms);
  CHECK(env.scalar("SELECT display_name FROM plumb.tenants WHERE name = 'acme'") == "Hand edited");
}

TEST_CASE("idle replicas sleep between deadlines instead of spinning", "[e2e][controller]") {
  E2eEnv env;
  env.repo.write("tenants/acme.yaml", tenant_yaml("acme", "starter"));
  env.repo.commit("acme");
  ControllerOptions opts = env.options();
  opts.interval = 60s;
  opts.drift_poll = 100ms;
  auto a = env.controller(opts);
  auto b = env.controller(opts);
  a->start();
  b->start();
  REQUIRE(eventually(5s, [&] { return env.scalar("SELECT count(*) FROM plumb.tenants WHERE name = 'acme'") == "1"; }));
  std::this_thread::sleep_for(300ms);  // past the first drift-poll deadline on both
  const std::clock_t cpu0 = std::clock();
  std::this_thread::sleep_for(1500ms);
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  WARN("two idle replicas used " << cpu_ms << " ms of CPU in 1.5 s");
  CHECK(cpu_ms < 400);
}
