// Serialization failures and deadlocks (40001, 40P01). The store has no retry loop of its own:
// it classifies both as ErrorKind::conflict (DB_SERIALIZATION_FAILURE / DB_DEADLOCK), the pass
// fails and is recorded, and the controller's backoff brings the next (level-triggered) pass,
// which plans again from the database and applies. This test provokes a real deadlock between
// the operator's apply and an out-of-band transaction and checks that path end to end.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

TEST_CASE("an apply that loses a deadlock is recorded as failed and retried by the next pass",
          "[chaos][deadlock]") {
  OperatorEnv env("deadlock", 280);
  Replica op = env.start("op", "1h");  // passes only when asked (and after a failure: backoff)
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded") == 1; }));

  // An out-of-band session locks the row the next apply updates. Its own deadlock check waits
  // a minute, so the apply's check (after the server's 1 s) finds the cycle and the apply is the victim.
  pqxx::connection oob(env.url);
  pqxx::work tx(oob);
  tx.exec("SET LOCAL deadlock_timeout = '60s'");
  tx.exec("SELECT 1 FROM plumb.tenants WHERE name = 't00000' FOR UPDATE");

  sh("sed -i 's/displayName: Tenant t00000/displayName: Renamed t00000/' " +
     quote((env.repo / "tenants" / "t00000.yaml").string()));
  const std::string commit = git_commit(env.repo, "rename t00000");
  const std::int64_t mark = env.last_run();
  REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);

  // The apply holds the change counter row (FOR UPDATE) and waits for our tenant row ...
  REQUIRE(eventually(std::chrono::seconds(30), [&] {
    return plumb_sessions(env.url, "wait_event_type = 'Lock' AND query ILIKE '%tenants%'") == 1;
  }));
  // ... and we now wait for the counter row (our write's trigger bumps it): a cycle.
  tx.exec("UPDATE plumb.tenants SET admin_email = admin_email WHERE name = 't00001'");
  tx.commit();

  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("failed", "", mark) == 1; }));
  const std::string error = env.sql(
      "SELECT error FROM plumb.sync_runs WHERE status = 'failed' AND number > " + std::to_string(mark));
  INFO(error);
  CHECK(error.find("DB_DEADLOCK") != std::string::npos);
  CHECK(error.find("40P01") != std::string::npos);
  // Retried after backoff, without anyone asking, and applied once.
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("succeeded", commit) == 1; }));
  CHECK(env.converged());
  CHECK(env.sql("SELECT display_name FROM plumb.tenants WHERE name = 't00000'") == "Renamed t00000");
  CHECK(env.sql("SELECT count(*) FROM plumb.audit_log WHERE commit = '" + commit + "'") == "1");
  const int exit_code = op.process->stop();
  INFO(op.process->tail());
  CHECK(exit_code == 0);
}
