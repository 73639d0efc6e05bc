// Serialization failures (40001). The store's apply is a plain `BEGIN` transaction (libpqxx's
// read_committed sends no isolation level), so it runs at the database's default isolation. At
// READ COMMITTED a concurrent writer makes it fail with STALE_PLAN; on a database whose DBA set
// default_transaction_isolation = serializable (or repeatable read) the same race is a real
// 40001. Either way it is a conflict: the pass fails, is recorded, and the controller's backoff
// brings the next, level-triggered pass, which plans again from the database and applies once.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <pqxx/pqxx>

#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

namespace {

// Seconds between the end of the failed run numbered above `mark` and the start of the next run.
double retry_gap_seconds(const OperatorEnv& env, std::int64_t mark) {
  return std::stod(
      env.sql("SELECT extract(epoch FROM (SELECT started_at FROM plumb.sync_runs WHERE number > f.number "
              "ORDER BY number "
              "LIMIT 1) - f.finished_at) FROM plumb.sync_runs f WHERE f.status = 'failed' AND f.number > " +
              std::to_string(mark) + " ORDER BY f.number LIMIT 1"));
}

}  // namespace

TEST_CASE("an apply that loses a serialization race (40001) is recorded as failed and retried after backoff",
          "[chaos][serialization]") {
  OperatorEnv env("serialization", 56);
  const std::string db = env.sql("SELECT current_database()");
  env.sql("ALTER DATABASE " + db + " SET default_transaction_isolation = 'serializable'");
  Replica op = env.start("op", "1h");  // passes only when asked (and after a failure: backoff)
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded") == 1; }));

  // An out-of-band write that changes no spec but bumps the change counter, left uncommitted:
  // it holds the counter row the apply locks (FOR UPDATE) before writing.
  pqxx::connection oob(env.url);
  pqxx::work tx(oob);
  tx.exec("UPDATE plumb.tenants SET admin_email = admin_email WHERE name = 't00001'");

  sh("sed -i 's/displayName: Tenant t00000/displayName: Renamed t00000/' " +
     quote((env.repo / "tenants" / "t00000.yaml").string()));
  const std::string commit = git_commit(env.repo, "rename t00000");
  const std::int64_t mark = env.last_run();
  REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);

  // The apply's snapshot predates our commit; once it waits for the counter row, commit under it.
  REQUIRE(eventually(std::chrono::seconds(30), [&] {
    return plumb_sessions(env.url, "wait_event_type = 'Lock' AND query ILIKE '%state_revision%'") == 1;
  }));
  tx.commit();

  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("failed", "", mark) == 1; }));
  const std::string error = env.sql(
      "SELECT error FROM plumb.sync_runs WHERE status = 'failed' AND number > " + std::to_string(mark));
  INFO(error);
  CHECK(error.find("DB_SERIALIZATION_FAILURE") != std::string::npos);
  CHECK(error.find("40001") != std::string::npos);
  // Retried by itself after the backoff (first step 1 s), and applied once.
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("succeeded", commit, mark) == 1; }));
  CHECK(retry_gap_seconds(env, mark) >= 0.8);
  CHECK(env.converged());
  CHECK(env.sql("SELECT display_name FROM plumb.tenants WHERE name = 't00000'") == "Renamed t00000");
  CHECK(env.sql("SELECT count(*) FROM plumb.audit_log WHERE commit = '" + commit + "'") == "1");
  CHECK(plumb_sessions(env.url, "state = 'idle in transaction'") == 0);
  const int exit_code = op.process->stop();
  INFO(op.process->tail());
  CHECK(exit_code == 0);
}

TEST_CASE("plumb apply that loses a serialization race exits 1, changes nothing and says to run it again",
          "[chaos][serialization]") {
  OperatorEnv env("serialization-cli", 56);
  REQUIRE(run_plumb({"apply", env.repo.string(), "--auto-approve"}, env.env()).code == 0);
  env.sql("ALTER DATABASE " + env.sql("SELECT current_database()") +
          " SET default_transaction_isolation = 'serializable'");
  sh("sed -i 's/displayName: Tenant t00000/displayName: Renamed t00000/' " +
     quote((env.repo / "tenants" / "t00000.yaml").string()));
  const std::string audit_before = env.sql("SELECT count(*) FROM plumb.audit_log WHERE actor_type = 'cli'");

  pqxx::connection oob(env.url);
  pqxx::work tx(oob);
  tx.exec("UPDATE plumb.tenants SET admin_email = admin_email WHERE name = 't00001'");
  Process apply({"apply", env.repo.string(), "--auto-approve"}, env.env(), env.tmp.path() / "apply.log");
  REQUIRE(eventually(std::chrono::seconds(30), [&] {
    return plumb_sessions(env.url, "wait_event_type = 'Lock' AND query ILIKE '%state_revision%'") == 1;
  }));
  tx.commit();
  const int status = apply.wait();
  const std::string out = apply.output();
  INFO(out);
  // No retry inside the CLI: a clear message and exit code 1, and nothing written.
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(out.find("DB_SERIALIZATION_FAILURE") != std::string::npos);
  CHECK(out.find("nothing was changed: run apply again") != std::string::npos);
  CHECK(env.sql("SELECT display_name FROM plumb.tenants WHERE name = 't00000'") == "Tenant t00000");
  CHECK(env.sql("SELECT count(*) FROM plumb.audit_log WHERE actor_type = 'cli'") == audit_before);
  // Running it again, as the message says, applies it.
  CHECK(run_plumb({"apply", env.repo.string(), "--auto-approve"}, env.env()).code == 0);
  CHECK(env.converged());
}
