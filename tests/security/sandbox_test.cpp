// DESIGN §6 / issue 8: `plumb validate` and `plumb plan --base` read untrusted pull requests in
// CI, so they must neither reach the network nor run anything. Proved two ways:
//  - strace -f records every execve, process creation, socket and connect the binary makes: only
//    the initial execve is allowed, no child process, no inet socket, no connect;
//  - `unshare -rn` (new user + network namespace: no interface but a down loopback) runs them
//    and they still succeed with the same answer.
// If the sandbox forbids unshare, the strace proof alone carries the property (a warning says so);
// if strace cannot trace, the test fails: without it there is no proof.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/security/process.hpp"

using namespace plumb::security_testing;

namespace {

const fs::path k_examples = fs::path(PLUMB_SOURCE_DIR) / "examples";

// What one traced run did that a sandboxed reader must not.
struct Verdict {
  int execs = 0;                     // execve/execveat calls, the initial one included
  std::vector<std::string> violations;
};

Verdict judge(const std::string& trace) {
  Verdict v;
  std::istringstream lines(trace);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("execve(") != std::string::npos || line.find("execveat(") != std::string::npos) ++v.execs;
    const bool socket = line.find("socket(AF_INET") != std::string::npos || line.find("socket(AF_PACKET") != std::string::npos;
    const bool connect = line.find("connect(") != std::string::npos && line.find("AF_UNIX") == std::string::npos;
    // A clone without CLONE_THREAD is a new process; fork and vfork always are.
    const bool process = (line.find("clone(") != std::string::npos || line.find("clone3(") != std::string::npos)
                             ? line.find("CLONE_THREAD") == std::string::npos
                             : line.find("fork(") != std::string::npos;
    if (socket || connect || process) v.violations.push_back(line);
  }
  if (v.execs != 1) v.violations.push_back("execve count " + std::to_string(v.execs) + " (only the initial one is allowed)");
  return v;
}

// Runs argv under strace -f and returns the run and its verdict.
std::pair<Run, Verdict> traced(const std::vector<std::string>& argv, const fs::path& cwd = {}) {
  const fs::path dir = temp_dir("trace");
  const fs::path log = dir / "strace.log";
  // Under the asan preset LeakSanitizer would stop the world with a clone() at exit (and cannot
  // run under ptrace anyway): leak checking is off for the traced binary only.
  std::vector<std::string> cmd = {"strace", "-f", "-qq", "-o", log.string(), "-E", "ASAN_OPTIONS=detect_leaks=0", "-e",
                                  "trace=execve,execveat,fork,vfork,clone,clone3,socket,connect"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  Run r = run(cmd, cwd);
  const std::string trace = read_file(log);
  INFO("strace stderr: " << r.err.substr(0, 2000));
  REQUIRE_FALSE(trace.empty());  // strace could not trace (ptrace forbidden?): no proof, so fail
  fs::remove_all(dir);
  return {r, judge(trace)};
}

// A Git repository holding examples/ at HEAD, and a working tree edit on top, whose .git/config
// and .gitattributes ask Git to run programs (filters, textconv, fsmonitor, hooks) that would
// create `marker`. Git would run them; plumb's libgit2 reader must not.
fs::path hostile_repo(const fs::path& marker) {
  const fs::path repo = temp_dir("repo");
  fs::copy(k_examples, repo / "config", fs::copy_options::recursive);
  const std::string touch = "touch " + marker.string();
  std::ofstream(repo / ".gitattributes") << "* filter=evil diff=evil\n";
  const std::string setup = "git init -q -b main && git add -A && git -c user.email=t@e -c user.name=t commit -qm base"
                            " && git config filter.evil.clean '" + touch + "' && git config filter.evil.smudge '" + touch +
                            "' && git config filter.evil.required true && git config diff.evil.textconv '" + touch +
                            "' && git config core.fsmonitor '" + touch + "' && git config core.sshCommand '" + touch +
                            "' && mkdir -p .git/hooks && printf '#!/bin/sh\\n" + touch +
                            "\\n' > .git/hooks/post-checkout && chmod +x .git/hooks/post-checkout";
  REQUIRE(run({"sh", "-c", setup}, repo).code == 0);
  fs::remove(marker);  // git's own clean filter ran during `git add` above
  std::string tenant = read_file(repo / "config/tenants/initech/tenant.yaml");
  tenant.replace(tenant.find("plan: starter"), 13, "plan: growth");
  std::ofstream(repo / "config/tenants/initech/tenant.yaml") << tenant;
  return repo;
}

}  // namespace

TEST_CASE("the strace judge flags a child process, an exec and an inet connection", "[security][sandbox]") {
  // The detector itself must be able to say no, or a passing test below proves nothing.
  REQUIRE(on_path("strace"));
  auto [shell, shell_verdict] = traced({"sh", "-c", "/bin/true; /bin/true"});
  CHECK(shell.code == 0);
  CHECK(shell_verdict.execs >= 2);
  CHECK_FALSE(shell_verdict.violations.empty());
  // plan against a database on 127.0.0.1 opens an inet socket and connects: flagged.
  auto [db, db_verdict] =
      traced({PLUMB_BINARY, "plan", k_examples.string(), "--database-url", "postgresql://plumb@127.0.0.1:9/none?connect_timeout=2"});
  CHECK(db.code != 0);
  bool saw_inet = false;
  for (const auto& v : db_verdict.violations) saw_inet = saw_inet || v.find("AF_INET") != std::string::npos;
  CHECK(saw_inet);
}

TEST_CASE("validate and plan --base make no process, no exec and no network call", "[security][sandbox]") {
  REQUIRE(on_path("strace"));
  const fs::path marker = temp_dir("marker") / "pwned";
  const fs::path repo = hostile_repo(marker);

  auto [validate, v1] = traced({PLUMB_BINARY, "validate", (repo / "config").string()});
  INFO(validate.out << validate.err);
  CHECK(validate.code == 0);
  for (const auto& line : v1.violations) FAIL_CHECK("validate: " << line);

  auto [plan, v2] = traced({PLUMB_BINARY, "plan", "config", "--base", "HEAD", "--detailed-exitcode"}, repo);
  INFO(plan.out << plan.err);
  CHECK(plan.code == 2);
  CHECK(plan.out.find("~ Tenant/initech") != std::string::npos);
  for (const auto& line : v2.violations) FAIL_CHECK("plan --base: " << line);

  // --repo reads a Git repository too (a local path: no transport).
  auto [by_repo, v3] = traced({PLUMB_BINARY, "validate", "--repo", repo.string(), "--path", "config"});
  INFO(by_repo.out << by_repo.err);
  CHECK(by_repo.code == 0);
  for (const auto& line : v3.violations) FAIL_CHECK("validate --repo: " << line);

  CHECK_FALSE(fs::exists(marker));  // no filter, textconv, fsmonitor, ssh command or hook ran
  fs::remove_all(repo);
}

TEST_CASE("validate and plan --base succeed in a namespace without network", "[security][sandbox]") {
  if (run({"unshare", "-rn", "true"}).code != 0) {
    WARN("unshare -rn is not permitted here: the no-network property rests on the strace test alone");
    return;
  }
  const fs::path marker = temp_dir("marker") / "pwned";
  const fs::path repo = hostile_repo(marker);
  // The namespace really has no network: even loopback is down.
  CHECK(run({"unshare", "-rn", "sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/9"}).code != 0);

  Run validate = run({"unshare", "-rn", PLUMB_BINARY, "validate", (repo / "config").string()});
  INFO(validate.out << validate.err);
  CHECK(validate.code == 0);
  CHECK(validate.out.find("are valid") != std::string::npos);

  Run plan = run({"unshare", "-rn", PLUMB_BINARY, "plan", "config", "--base", "HEAD", "--detailed-exitcode"}, repo);
  INFO(plan.out << plan.err);
  CHECK(plan.code == 2);
  CHECK(plan.out.find("spec.plan: \"starter\" -> \"growth\"") != std::string::npos);
  CHECK_FALSE(fs::exists(marker));
  fs::remove_all(repo);
}
