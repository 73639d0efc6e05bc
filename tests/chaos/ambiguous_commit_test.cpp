// Ambiguous commits (DESIGN §6): the connection of the operator's apply breaks exactly at COMMIT,
// so libpqxx reports in_doubt_error (DB_IN_DOUBT) and plumb cannot tell from the connection
// whether the transaction committed. A wire-protocol proxy between `plumb run` and PostgreSQL
// cuts the apply's session at its COMMIT, either forwarding the COMMIT after the client is gone
// (it commits, 500 ms later: the operator's reconnection races the still-open transaction) or
// dropping it (it never commits). Either way the change must be applied exactly once: the
// operator settles the outcome from the sync run the apply records in its own transaction.
#include <catch2/catch.hpp>

#include "tests/chaos/commit_proxy.hpp"
#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

namespace {

// The database name and socket of a harness URL ("host=... port=... user=... dbname=...").
std::string url_field(const std::string& url, const std::string& key) {
  const auto at = url.find(key + "=");
  const auto from = at + key.size() + 1;
  return url.substr(from, url.find(' ', from) - from);
}

// Renames tenant t00000 and adds one ApiToken to it: an update and a create (a minted secret).
std::string commit_change(OperatorEnv& env, const std::string& tag) {
  const std::string file = (env.repo / "tenants" / "t00000.yaml").string();
  sh("sed -i 's/displayName: Tenant t00000.*/displayName: Tenant t00000 " + tag + "/' " + quote(file));
  sh("printf -- '---\\napiVersion: plumb.dev/v1\\nkind: ApiToken\\nmetadata:\\n  name: " + tag +
     "\\n  tenant: t00000\\nspec:\\n  role: reader\\n' >> " + quote(file));
  return git_commit(env.repo, "change " + tag);
}

// Everything the commit wrote, once: one audit row per change, no duplicate, the token minted once.
void check_applied_once(OperatorEnv& env, const std::string& commit, const std::string& tag) {
  const std::string where = " FROM plumb.audit_log WHERE commit = '" + commit + "'";
  CHECK(env.sql("SELECT count(*)" + where) == "2");
  CHECK(env.sql("SELECT count(DISTINCT (action, kind, tenant, name))" + where) == "2");
  CHECK(env.sql("SELECT count(*)" + where + " AND kind = 'ApiToken' AND name = '" + tag + "'") == "1");
  CHECK(env.sql("SELECT count(*) FROM plumb.api_tokens WHERE tenant = 't00000' AND name = '" + tag +
                "' AND secret_hash IS NOT NULL") == "1");
  CHECK(env.sql("SELECT display_name FROM plumb.tenants WHERE name = 't00000'") == "Tenant t00000 " + tag);
  CHECK(env.converged());
  CHECK(run_plumb({"audit", "verify"}, env.env()).code == 0);
  CHECK(plumb_sessions(env.url, "state = 'idle in transaction'") == 0);
}

}  // namespace

TEST_CASE("a COMMIT that reached the server but whose answer was lost is not applied again",
          "[chaos][ambiguous]") {
  // Also on a database whose default isolation is serializable: settlement must still see the
  // row the apply committed after settlement's own transaction began.
  const bool serializable = GENERATE(false, true);
  OperatorEnv env("ambiguous-committed", 56);
  if (serializable) {
    env.sql("ALTER DATABASE " + env.sql("SELECT current_database()") +
            " SET default_transaction_isolation = 'serializable'");
  }
  const std::string& server = url_field(env.url, "host");
  CommitProxy proxy(env.tmp.path() / "proxy", server, std::stoi(url_field(env.url, "port")));
  Replica op = env.start("op", "1h", proxy.url(url_field(env.url, "dbname")));
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded") == 1; }));

  proxy.arm(CommitProxy::Mode::commit_lost);
  const std::string commit = commit_change(env, "lost1");
  const std::int64_t mark = env.last_run();
  REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return proxy.fired() == 1; }));
  // Settled from the database: it committed, so the pass is a success and nothing is re-applied.
  const bool settled = op.process->wait_for_log("commit outcome was in doubt; the database says it committed",
                                                std::chrono::seconds(30));
  INFO(op.process->tail());
  CHECK(settled);
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("succeeded", commit, mark) == 1; }));
  // The in-doubt apply's own "failed" record did not overwrite the committed run.
  CHECK(env.runs("failed", "", mark) == 0);

  // The next pass finds nothing to do.
  const std::int64_t after = env.last_run();
  REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("no_changes", commit, after) == 1; }));
  CHECK(env.runs("succeeded", "", after) == 0);
  check_applied_once(env, commit, "lost1");
  CHECK(op.process->stop() == 0);
}

TEST_CASE("a COMMIT that never reached the server is applied once by the next pass", "[chaos][ambiguous]") {
  OperatorEnv env("ambiguous-lost", 56);
  const std::string& server = url_field(env.url, "host");
  CommitProxy proxy(env.tmp.path() / "proxy", server, std::stoi(url_field(env.url, "port")));
  Replica op = env.start("op", "1h", proxy.url(url_field(env.url, "dbname")));
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded") == 1; }));

  proxy.arm(CommitProxy::Mode::never_arrived);
  const std::string commit = commit_change(env, "lost2");
  const std::int64_t mark = env.last_run();
  REQUIRE(http_post(op.port, "/v1/syncs", env.admin).first == 202);
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return proxy.fired() == 1; }));
  const bool settled = op.process->wait_for_log(
      "commit outcome was in doubt; the database says it did not commit", std::chrono::seconds(30));
  INFO(op.process->tail());
  CHECK(settled);
  // The pass is on record as failed (in doubt, settled as not committed) ...
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("failed", commit, mark) == 1; }));
  CHECK(env.sql("SELECT error FROM plumb.sync_runs WHERE status = 'failed' AND number > " +
                std::to_string(mark))
            .find("DB_IN_DOUBT") != std::string::npos);
  // ... and the backoff's next pass applies the commit, once.
  REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("succeeded", commit, mark) == 1; }));
  check_applied_once(env, commit, "lost2");
  CHECK(op.process->stop() == 0);
}
