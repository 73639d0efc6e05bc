// The Git remote under `plumb run` goes bad: objects corrupted, history force-pushed, the
// repository deleted. The operator keeps the last good state in the database, records the
// failure in sync_runs, keeps serving its API, and converges once the remote is good again.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/chaos/operator_env.hpp"

using namespace plumb::chaos;

namespace {

std::vector<std::string> lines_of(const std::string& cmd) {
  FILE* pipe = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  std::string out;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  ::pclose(pipe);
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line.substr(0, line.find(' ')));
  }
  return lines;
}

// Overwrites every loose object `commit` introduces (commit, trees, blobs) with garbage and
// returns the original bytes by path, to restore later.
std::vector<std::pair<fs::path, std::string>> corrupt_objects(const fs::path& repo,
                                                              const std::string& commit) {
  std::vector<std::pair<fs::path, std::string>> saved;
  for (const auto& id : lines_of("git -C " + quote(repo.string()) + " rev-list --objects " + commit +
                                 " --not " + commit + "^")) {
    const fs::path file = repo / ".git" / "objects" / id.substr(0, 2) / id.substr(2);
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    saved.emplace_back(file, bytes.str());
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "this is not a zlib stream";
  }
  return saved;
}

void restore(const std::vector<std::pair<fs::path, std::string>>& saved) {
  for (const auto& [file, bytes] : saved) std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// The API answers while the operator is in trouble: liveness and a database-backed read.
void check_api_serves(const OperatorEnv& env, const Replica& op) {
  CHECK(http_get(op.port, "/healthz").first == 200);
  auto tenants = http_get(op.port, "/v1/tenants", env.admin);
  CHECK(tenants.first == 200);
  CHECK(tenants.second.find("t00000") != std::string::npos);
}

}  // namespace

TEST_CASE(
    "a corrupted, force-pushed or deleted Git remote keeps the last good state, is reported in "
    "sync_runs, and the API keeps serving",
    "[chaos][git]") {
  OperatorEnv env("git", 280);
  Replica op = env.start("op");
  const std::string c0 = lines_of("git -C " + quote(env.repo.string()) + " rev-parse HEAD").at(0);
  REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded", c0) == 1; }));
  const Fingerprint good = fingerprint(env.url);

  SECTION("corrupted objects") {
    write_config(env.repo, env.resources, 1);
    const std::string c1 = git_commit(env.repo, "variant 1");
    const std::int64_t mark = env.last_run();
    auto saved = corrupt_objects(env.repo, c1);
    REQUIRE(saved.size() >= 3);
    REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("failed", "", mark) >= 1; }));
    const std::string error =
        env.sql("SELECT error FROM plumb.sync_runs WHERE status = 'failed' ORDER BY number DESC LIMIT 1");
    WARN("recorded error: " << error);
    CHECK_FALSE(error.empty());
    CHECK(env.runs("succeeded", c1) == 0);
    CHECK(fingerprint(env.url) == good);
    CHECK(op.process->running());
    check_api_serves(env, op);

    // Repaired: the next pass applies the commit.
    restore(saved);
    CHECK(http_post(op.port, "/v1/syncs", env.admin).first == 202);
    REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded", c1) == 1; }));
    CHECK(env.converged());
  }

  SECTION("history rewritten by a force-push") {
    // The branch now points at an unrelated root commit with other content.
    write_config(env.repo, env.resources, 1);
    sh("cd " + quote(env.repo.string()) + " && git checkout -q --orphan rewritten && git add -A && " +
       "git -c user.email=chaos@example.com -c user.name=chaos commit -qm rewritten && git branch -M "
       "rewritten main");
    const std::string c2 = lines_of("git -C " + quote(env.repo.string()) + " rev-parse HEAD").at(0);
    REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded", c2) == 1; }));
    CHECK(env.converged());
    CHECK(op.process->running());

    // Forced back to the first commit (a rollback): followed as well.
    sh("cd " + quote(env.repo.string()) + " && git reset -q --hard " + c0);
    REQUIRE(eventually(std::chrono::seconds(60), [&] { return env.runs("succeeded", c0) == 2; }));
    CHECK(fingerprint(env.url) == good);
  }

  SECTION("remote deleted") {
    const std::int64_t mark = env.last_run();
    fs::remove_all(env.repo);
    REQUIRE(eventually(std::chrono::seconds(30), [&] { return env.runs("failed", "", mark) >= 1; }));
    const std::string error =
        env.sql("SELECT error FROM plumb.sync_runs WHERE status = 'failed' ORDER BY number DESC LIMIT 1");
    WARN("recorded error: " << error);
    CHECK_FALSE(error.empty());
    CHECK(fingerprint(env.url) == good);
    CHECK(op.process->running());
    check_api_serves(env, op);
    const int exit_code = op.process->stop();
    INFO(op.process->tail());
    CHECK(exit_code == 0);
  }
}
