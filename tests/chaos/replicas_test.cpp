// Three `plumb run` replicas on one database. The leader is SIGSTOPped in the middle of a pass,
// loses its lock session while frozen (as a network partition or keepalive timeout would make
// it), and is resumed: the change is applied exactly once (one succeeded run, one audit row per
// change) and the resumed old leader does not write (fencing).
#include <catch2/catch.hpp>

#include <signal.h>

#include <regex>
#include <thread>

#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

namespace {

// The replica whose lock session holds the leader lock right now (by the backend pid each
// replica logs when it becomes leader), or nullptr.
Replica* current_leader(std::vector<Replica>& replicas, const OperatorEnv& env) {
  const std::string pid = env.sql(
      "SELECT coalesce(max(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
      "AND pid IN (SELECT pid FROM pg_stat_activity WHERE application_name = 'plumb-leader')");
  if (pid == "0") return nullptr;
  for (auto& r : replicas) {
    if (r.process->output().find("lock holder pid " + pid + ")") != std::string::npos) return &r;
  }
  return nullptr;
}

std::string head(const fs::path& repo) {
  FILE* pipe = ::popen(("git -C " + quote(repo.string()) + " rev-parse HEAD").c_str(), "r");
  char buf[64] = {};
  const std::size_t n = std::fread(buf, 1, 40, pipe);
  ::pclose(pipe);
  return std::string(buf, n);
}

}  // namespace

TEST_CASE(
    "a SIGSTOPped leader that lost its lock does not write when resumed, and every change is "
    "applied exactly once",
    "[chaos][replicas]") {
  OperatorEnv env("replicas", 1400);
  std::vector<Replica> replicas;
  for (const char* name : {"r1", "r2", "r3"}) replicas.push_back(env.start(name, "1h"));
  const std::string c0 = head(env.repo);
  REQUIRE(eventually(std::chrono::seconds(90), [&] { return env.runs("succeeded", c0) == 1; }));

  int fenced = 0, stale = 0, too_late = 0;
  for (int attempt = 1; attempt <= 4 && fenced + stale == 0; ++attempt) {
    Replica* leader = nullptr;
    REQUIRE(eventually(std::chrono::seconds(30),
                       [&] { return (leader = current_leader(replicas, env)) != nullptr; }));
    const std::size_t offset = leader->process->output().size();
    write_config(env.repo, env.resources, attempt % 2);
    const std::string commit = git_commit(env.repo, "attempt " + std::to_string(attempt));
    CHECK(http_post(leader->port, "/v1/syncs", env.admin).first == 202);
    // Freeze the leader as soon as its pass starts (it still has to fetch, load and plan).
    REQUIRE(eventually(std::chrono::seconds(30), [&] {
      return leader->process->output().find(" started trigger=", offset) != std::string::npos;
    }));
    leader->process->signal(SIGSTOP);
    const bool in_apply = env.sql(
                              "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 28769 "
                              "AND objsubid = 2 AND granted") != "0" ||
                          env.runs("succeeded", commit) > 0;
    // Its lease ends while it cannot notice: the server drops its lock session.
    env.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'plumb-leader' "
        "AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1)");
    leader->process->signal(SIGCONT);

    REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded", commit) >= 1; }));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // room for a duplicate to show up
    CHECK(env.runs("succeeded", commit) == 1);
    // One audit row per change, none twice.
    CHECK(env.sql("SELECT count(*) FROM plumb.audit_log WHERE commit = '" + commit + "'") ==
          std::to_string(variant_changes(env.resources)));
    CHECK(env.sql("SELECT count(*) FROM (SELECT 1 FROM plumb.audit_log WHERE commit = '" + commit +
                  "' GROUP BY kind, tenant, workspace, name, action HAVING count(*) > 1) d") == "0");
    CHECK(env.converged());

    const std::string after = leader->process->output().substr(offset);
    INFO("attempt " << attempt << ", old leader's log since the commit:\n" << after);
    if (in_apply) {
      ++too_late;  // frozen inside its apply transaction: its commit is legitimate
      continue;
    }
    CHECK(after.find("succeeded commit=" + commit) == std::string::npos);
    if (after.find("LEADERSHIP_LOST") != std::string::npos) ++fenced;
    if (after.find("STALE_PLAN") != std::string::npos) ++stale;
    CHECK(fenced + stale == 1);
  }
  WARN("old leader refused by the fence " << fenced << ", by the stale-plan check " << stale
                                          << ", frozen too late (inside its apply) " << too_late);
  CHECK(fenced + stale == 1);
  for (auto& r : replicas) CHECK(r.process->running());
}
