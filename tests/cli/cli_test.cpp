#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/pg_harness.hpp"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code = -1;
  std::string out;  // stdout and stderr together
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs the plumb binary with `args` (shell-quoted here), stdin from /dev/null, no TTY.
Run run_plumb(const std::vector<std::string>& args, const std::string& env = "") {
  std::string cmd = env + " " + quote(PLUMB_BINARY);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " </dev/null 2>&1";
  Run run;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) run.out.append(buf.data(), n);
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("plumb-cli-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void sh(const std::string& cmd) { REQUIRE(std::system(cmd.c_str()) == 0); }

const fs::path k_examples = fs::path(PLUMB_SOURCE_DIR) / "examples";
const fs::path k_bad = fs::path(PLUMB_SOURCE_DIR) / "tests" / "bad";

}  // namespace

TEST_CASE("validate exits 0 on the examples and 1 on bad input, in every format", "[cli]") {
  auto ok = run_plumb({"validate", k_examples.string()});
  CHECK(ok.code == 0);
  CHECK(ok.out.find("are valid") != std::string::npos);

  auto bad = run_plumb({"validate", k_bad.string()});
  CHECK(bad.code == 1);
  CHECK(bad.out.find("error[YAML_ANCHOR]") != std::string::npos);

  auto json = run_plumb({"validate", k_bad.string(), "--format", "json"});
  CHECK(json.code == 1);
  auto doc = nlohmann::json::parse(json.out, nullptr, false);
  REQUIRE_FALSE(doc.is_discarded());
  CHECK(doc["valid"] == false);
  CHECK(doc["errors"].get<int>() > 30);

  auto github = run_plumb({"validate", k_bad.string(), "--format", "github"});
  CHECK(github.code == 1);
  CHECK(github.out.rfind("::error file=", 0) == 0);
}

TEST_CASE("command-line mistakes exit 64 and errors say what to do", "[cli]") {
  CHECK(run_plumb({"frobnicate"}).code == 64);
  CHECK(run_plumb({"validate", "--format", "xml"}).code == 64);
  CHECK(run_plumb({"--help"}).code == 0);
  auto no_db = run_plumb({"plan", k_examples.string()});
  CHECK(no_db.code == 1);
  CHECK(no_db.out.find("--database-url") != std::string::npos);
  auto missing = run_plumb({"validate", "/nonexistent/config"});
  CHECK(missing.code == 1);
  CHECK(missing.out.find("does not exist") != std::string::npos);
}

TEST_CASE("plan --base shows what a working tree changes against a Git ref, offline", "[cli]") {
  fs::path repo = temp_dir("base");
  fs::copy(k_examples, repo / "config", fs::copy_options::recursive);
  sh("cd " + quote(repo.string()) +
     " && git init -q -b main && git add -A && git -c user.email=t@e -c user.name=t commit -qm base");
  std::string tenant = (repo / "config/tenants/initech/tenant.yaml").string();
  sh("sed -i 's/plan: starter/plan: growth/' " + quote(tenant));
  auto changed = run_plumb({"plan", (repo / "config").string(), "--base", "HEAD", "--detailed-exitcode"});
  CHECK(changed.code == 2);
  CHECK(changed.out.find("~ Tenant/initech") != std::string::npos);
  CHECK(changed.out.find("spec.plan: \"starter\" -> \"growth\"") != std::string::npos);
  auto md = run_plumb({"plan", (repo / "config").string(), "--base", "HEAD", "--format", "markdown"});
  CHECK(md.out.find("<!-- plumb-plan -->") != std::string::npos);
  sh("cd " + quote(repo.string()) + " && git checkout -q -- .");
  CHECK(run_plumb({"plan", (repo / "config").string(), "--base", "HEAD", "--detailed-exitcode"}).code == 0);
  fs::remove_all(repo);
}

TEST_CASE("plan reads the database while it loads, and reports invalid input before database errors", "[cli][db]") {
  std::string url = plumb::testing::fresh_database();  // not migrated: reading it fails
  std::string env = "PLUMB_DATABASE_URL=" + quote(url);

  auto bad = run_plumb({"plan", k_bad.string()}, env);
  CHECK(bad.code == 1);
  CHECK(bad.out.find("error[YAML_ANCHOR]") != std::string::npos);
  CHECK(bad.out.find("nothing was planned") != std::string::npos);
  CHECK(bad.out.find("migrate") == std::string::npos);

  auto unmigrated = run_plumb({"plan", k_examples.string()}, env);
  CHECK(unmigrated.code == 1);
  CHECK(unmigrated.out.find("run plumb migrate") != std::string::npos);

  auto apply = run_plumb({"apply", k_examples.string(), "--auto-approve"}, env);
  CHECK(apply.code == 1);
  CHECK(apply.out.find("run plumb migrate") != std::string::npos);

  CHECK(run_plumb({"migrate"}, env + " PLUMB_TOKEN_KEY=0123456789abcdef0123456789abcdef").code == 0);
  auto planned = run_plumb({"plan", k_examples.string(), "--detailed-exitcode"}, env);
  CHECK(planned.code == 2);
  CHECK(planned.out.find("25 to create") != std::string::npos);
}

TEST_CASE("the whole cycle against a database keeps the CLI contract", "[cli][db]") {
  std::string url = plumb::testing::fresh_database();
  fs::path dir = temp_dir("cycle");
  std::ofstream(dir / "token.key") << "0123456789abcdef0123456789abcdef\n";
  std::string env = "PLUMB_DATABASE_URL=" + quote(url) + " PLUMB_TOKEN_KEY_FILE=" + quote((dir / "token.key").string());
  std::string examples = k_examples.string();

  CHECK(run_plumb({"migrate"}, env).code == 0);
  auto again = run_plumb({"migrate"}, env);
  CHECK(again.code == 0);
  CHECK(again.out.find("up to date") != std::string::npos);

  std::string saved = (dir / "plan.json").string();
  auto first = run_plumb({"plan", examples, "--detailed-exitcode", "--out", saved}, env);
  CHECK(first.code == 2);
  CHECK(first.out.find("25 to create") != std::string::npos);

  // No terminal to confirm on: refused, nothing written.
  auto unconfirmed = run_plumb({"apply", "--plan", saved}, env);
  CHECK(unconfirmed.code == 1);
  CHECK(unconfirmed.out.find("--auto-approve") != std::string::npos);

  // With --auto-approve the plan is printed while the apply runs: all of it, before the result.
  auto applied = run_plumb({"apply", "--plan", saved, "--auto-approve"}, env);
  CHECK(applied.code == 0);
  CHECK(applied.out.find("25 to create") < applied.out.find("25 created"));
  CHECK(applied.out.find("25 created") != std::string::npos);
  CHECK(run_plumb({"plan", examples, "--detailed-exitcode"}, env).code == 0);
  CHECK(run_plumb({"drift", examples}, env).code == 0);

  // The saved plan is now stale: refused, whatever it contains.
  auto stale = run_plumb({"apply", "--plan", saved, "--auto-approve"}, env);
  CHECK(stale.code == 1);
  CHECK(stale.out.find("25 to create") < stale.out.find("changed since this plan"));
  CHECK(stale.out.find("changed since this plan") != std::string::npos);

  // A hand edit is drift with its field, and apply heals it.
  plumb::testing::psql(url, "update plumb.workspaces set display_name = 'hand edit' where name = 'analytics'");
  auto drift = run_plumb({"drift", examples, "--format", "json"}, env);
  CHECK(drift.code == 2);
  CHECK(drift.out.find("spec.displayName") != std::string::npos);
  CHECK(run_plumb({"apply", examples, "--auto-approve"}, env).code == 0);
  CHECK(run_plumb({"drift", examples}, env).code == 0);

  // A token's secret is shown exactly once.
  auto secret = run_plumb({"token", "reveal", "acme-corp", "grafana-dashboards"}, env);
  CHECK(secret.code == 0);
  CHECK(secret.out.rfind("plb_", 0) == 0);
  auto twice = run_plumb({"token", "reveal", "acme-corp", "grafana-dashboards"}, env);
  CHECK(twice.code == 1);
  CHECK(twice.out.find("already revealed") != std::string::npos);

  auto verify = run_plumb({"audit", "verify"}, env);
  CHECK(verify.code == 0);
  plumb::testing::psql(url, "alter table plumb.audit_log disable trigger all; "
                            "update plumb.audit_log set actor = 'mallory' where seq = 3; "
                            "alter table plumb.audit_log enable trigger all");
  auto broken = run_plumb({"audit", "verify"}, env);
  CHECK(broken.code == 1);
  CHECK(broken.out.find("seq 3") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("plan, drift and audit verify run as the pull-request CI role, without a token key", "[cli][db]") {
  // The role is created with the GRANTs examples/ci/README.md tells teams to run, read from it.
  std::ifstream readme(fs::path(PLUMB_SOURCE_DIR) / "examples/ci/README.md");
  REQUIRE(readme);
  const std::string text((std::istreambuf_iterator<char>(readme)), std::istreambuf_iterator<char>());
  const auto start = text.find("```sql\n", text.find("### The read-only database role"));
  REQUIRE(start != std::string::npos);
  std::string grants = text.substr(start + 7, text.find("```", start + 7) - start - 7);
  const std::string role = "plumb_ci_ro_" + std::to_string(::getpid());
  for (std::size_t p = 0; (p = grants.find("plumb_ci_ro", p)) != std::string::npos; p += role.size()) {
    grants.replace(p, 11, role);
  }
  const auto password = grants.find(" PASSWORD '...'");
  REQUIRE(password != std::string::npos);
  grants.erase(password, 15);

  const std::string url = plumb::testing::fresh_database();
  fs::path dir = temp_dir("ci-role");
  std::ofstream(dir / "token.key") << "0123456789abcdef0123456789abcdef\n";
  const std::string owner = "PLUMB_DATABASE_URL=" + quote(url) + " PLUMB_TOKEN_KEY_FILE=" + quote((dir / "token.key").string());
  REQUIRE(run_plumb({"migrate"}, owner).code == 0);
  REQUIRE(run_plumb({"apply", k_examples.string(), "--auto-approve"}, owner).code == 0);
  plumb::testing::psql(url, grants);
  const std::string ci = "PLUMB_DATABASE_URL=" + quote(url + " user=" + role);

  auto plan = run_plumb({"plan", k_examples.string(), "--detailed-exitcode"}, ci);
  INFO(plan.out);
  CHECK(plan.code == 0);
  CHECK(run_plumb({"drift", k_examples.string()}, ci).code == 0);
  CHECK(run_plumb({"audit", "verify"}, ci).code == 0);
  // The role really cannot read the key nor write: an apply of a hand edit's repair is refused.
  CHECK_THROWS_WITH(plumb::testing::psql(url + " user=" + role, "SELECT count(*) FROM plumb.server_secrets"),
                    Catch::Contains("permission denied"));
  plumb::testing::psql(url, "update plumb.workspaces set display_name = 'hand edit' where name = 'analytics'");
  CHECK(run_plumb({"plan", k_examples.string(), "--detailed-exitcode"}, ci).code == 2);
  auto apply = run_plumb({"apply", k_examples.string(), "--auto-approve"}, ci + " PLUMB_TOKEN_KEY=x");
  INFO(apply.out);
  CHECK(apply.code == 1);
  CHECK(plumb::testing::psql(url, "select display_name from plumb.workspaces where name = 'analytics'") == "hand edit\n");
  fs::remove_all(dir);
}
