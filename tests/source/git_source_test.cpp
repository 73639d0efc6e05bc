#include <algorithm>

#include <catch2/catch.hpp>

#include "reconciler/source/git_source.hpp"
#include "reconciler/source/ref_tree.hpp"
#include "tests/source/git_fixture.hpp"

using namespace plumb;
using namespace plumb::source;
using plumb::testing::GitRepo;
using plumb::testing::TempDir;

namespace {

const std::string k_tenant = "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: acme\n";

std::unique_ptr<GitSource> open_source(const std::string& repo, const TempDir& cache, std::string ref = "main",
                                       std::string path = "", load::LoadLimits limits = {}) {
  GitSourceOptions opts;
  opts.repo = repo;
  opts.ref = std::move(ref);
  opts.path = std::move(path);
  opts.cache_dir = cache.str();
  opts.limits = limits;
  auto src = GitSource::open(opts);
  REQUIRE(src);
  return std::move(*src);
}

std::vector<std::string> paths_of(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& f : s.files) out.push_back(f.path);
  return out;
}

bool has_code(const model::Diagnostics& d, const std::string& code) {
  return std::any_of(d.items().begin(), d.items().end(), [&](const auto& x) { return x.code == code; });
}

}  // namespace

TEST_CASE("a file:// repository is cloned and its manifests read from the commit's tree", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("tenants/acme.yaml", k_tenant);
  repo.write("tenants/b.yml", "kind: Role\n");
  repo.write("README.md", "not a manifest");
  repo.write(".github/workflows/ci.yaml", "on: push\n");
  const std::string head = repo.commit("first");
  TempDir cache("plumb-cache");
  auto src = open_source(repo.url(), cache);
  auto snap = src->snapshot();
  REQUIRE(snap);
  CHECK((*snap)->commit == head);
  CHECK(paths_of(**snap) == std::vector<std::string>{"tenants/acme.yaml", "tenants/b.yml"});
  CHECK((*snap)->files[0].content == k_tenant);
  REQUIRE((*snap)->blob_ids.size() == 2);
  CHECK((*snap)->blob_ids[0] == repo.git("rev-parse HEAD:tenants/acme.yaml"));
  CHECK((*snap)->diagnostics.empty());
  CHECK(std::filesystem::exists(std::filesystem::path(src->cache_path()) / "HEAD"));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(src->cache_path()) / "tenants"));  // bare, no checkout
}

TEST_CASE("a plain local path works like file:// and later fetches see new commits", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  repo.commit("first");
  TempDir cache("plumb-cache");
  auto src = open_source(repo.dir().string(), cache);
  auto first = src->snapshot();
  REQUIRE(first);
  CHECK((*first)->files.size() == 1);
  auto again = src->snapshot();
  REQUIRE(again);
  CHECK(again->get() == first->get());  // same commit: the same shared snapshot, not re-read
  repo.write("b.yaml", k_tenant);
  const std::string second = repo.commit("second");
  auto next = src->snapshot();
  REQUIRE(next);
  CHECK((*next)->commit == second);
  CHECK((*next)->files.size() == 2);
}

TEST_CASE("a ref resolves as branch, lightweight tag, annotated tag, full or short commit id", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  const std::string c1 = repo.commit("one");
  repo.git("tag v1");
  repo.git("tag -a v1-annotated -m release");
  repo.git("checkout -q -b feature");
  repo.write("b.yaml", k_tenant);
  const std::string c2 = repo.commit("two");
  repo.git("checkout -q main");
  TempDir cache("plumb-cache");
  for (auto [ref, want] : std::vector<std::pair<std::string, std::string>>{
           {"main", c1}, {"feature", c2}, {"refs/heads/feature", c2}, {"v1", c1}, {"v1-annotated", c1},
           {c2, c2}, {c2.substr(0, 8), c2}}) {
    INFO(ref);
    auto src = open_source(repo.url(), cache, ref);
    auto snap = src->snapshot();
    REQUIRE(snap);
    CHECK((*snap)->commit == want);
  }
}

TEST_CASE("an unknown ref is a terminal REF_NOT_FOUND error", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  repo.commit("one");
  TempDir cache("plumb-cache");
  auto snap = open_source(repo.url(), cache, "no-such-branch")->snapshot();
  REQUIRE_FALSE(snap);
  CHECK(snap.error().code == "REF_NOT_FOUND");
  CHECK(snap.error().kind == ErrorKind::terminal);
}

TEST_CASE("a missing repository is a fetch error worth retrying", "[source][git]") {
  TempDir tmp("plumb-src");
  TempDir cache("plumb-cache");
  auto snap = open_source("file://" + (tmp.path() / "absent").string(), cache)->snapshot();
  REQUIRE_FALSE(snap);
  CHECK(snap.error().code == "GIT_FETCH_FAILED");
  CHECK(snap.error().kind == ErrorKind::transient);
}

TEST_CASE("a symlink to a file outside the repository is refused and its content never read", "[source][git]") {
  TempDir tmp("plumb-src");
  const std::string marker = "SECRET-MARKER-7f3a9c";
  testing::write_file(tmp.path() / "outside.yaml", "kind: Tenant\n# " + marker + "\n");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  std::filesystem::create_symlink(tmp.path() / "outside.yaml", repo.dir() / "evil.yaml");
  std::filesystem::create_symlink(tmp.path() / "outside.yaml", repo.dir() / "notes.txt");
  repo.commit("with links");
  TempDir cache("plumb-cache");
  auto snap = open_source(repo.url(), cache)->snapshot();
  REQUIRE(snap);
  CHECK(paths_of(**snap) == std::vector<std::string>{"a.yaml"});
  CHECK(has_code((*snap)->diagnostics, "SYMLINK_REFUSED"));
  CHECK((*snap)->diagnostics.has_errors());
  for (const auto& f : (*snap)->files) CHECK(f.content.find(marker) == std::string::npos);
  for (const auto& d : (*snap)->diagnostics.items()) {
    CHECK(d.message.find(marker) == std::string::npos);
    CHECK(d.hint.find(marker) == std::string::npos);
  }
}

TEST_CASE("a submodule inside the configured path is refused", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  const std::string c1 = repo.commit("one");
  repo.git("update-index --add --cacheinfo 160000," + c1 + ",vendor");
  repo.git("commit -q -m gitlink");
  TempDir cache("plumb-cache");
  auto snap = open_source(repo.url(), cache)->snapshot();
  REQUIRE(snap);
  CHECK(has_code((*snap)->diagnostics, "SUBMODULE_REFUSED"));
  CHECK(paths_of(**snap) == std::vector<std::string>{"a.yaml"});
}

TEST_CASE("the configured path narrows the tree and `..` is refused before any I/O", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("clusters/prod/a.yaml", k_tenant);
  repo.write("clusters/dev/b.yaml", k_tenant);
  repo.write("top.yaml", k_tenant);
  repo.commit("one");
  std::filesystem::create_symlink("clusters/prod", repo.dir() / "linked");
  repo.commit("link");
  TempDir cache("plumb-cache");
  auto snap = open_source(repo.url(), cache, "main", "./clusters/prod/")->snapshot();
  REQUIRE(snap);
  CHECK(paths_of(**snap) == std::vector<std::string>{"a.yaml"});

  GitSourceOptions opts;
  opts.repo = repo.url();
  opts.cache_dir = cache.str();
  opts.path = "clusters/../..";
  auto bad = GitSource::open(opts);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "INVALID_PATH");

  auto linked = open_source(repo.url(), cache, "main", "linked")->snapshot();
  REQUIRE(linked);
  CHECK((*linked)->files.empty());
  CHECK(has_code((*linked)->diagnostics, "SYMLINK_REFUSED"));
  auto missing = open_source(repo.url(), cache, "main", "nowhere")->snapshot();
  REQUIRE(missing);
  CHECK(has_code((*missing)->diagnostics, "SOURCE_PATH_NOT_FOUND"));
}

TEST_CASE("oversized blobs are refused from their header and the total size is capped", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("big.yaml", std::string(5000, 'x'));
  repo.write("small1.yaml", std::string(600, 'a'));
  repo.write("small2.yaml", std::string(600, 'b'));
  repo.commit("sizes");
  TempDir cache("plumb-cache");
  load::LoadLimits limits;
  limits.max_file_bytes = 1000;
  auto snap = open_source(repo.url(), cache, "main", "", limits)->snapshot();
  REQUIRE(snap);
  CHECK(has_code((*snap)->diagnostics, "FILE_TOO_LARGE"));
  CHECK(paths_of(**snap) == std::vector<std::string>{"small1.yaml", "small2.yaml"});
  limits.max_total_bytes = 1000;
  TempDir cache2("plumb-cache");
  auto capped = open_source(repo.url(), cache2, "main", "", limits)->snapshot();
  REQUIRE(capped);
  CHECK(has_code((*capped)->diagnostics, "TOTAL_SIZE_EXCEEDED"));
  CHECK((*capped)->total_bytes <= 1000);
}

TEST_CASE("ssh repositories need a known_hosts file and a key", "[source][git]") {
  TempDir cache("plumb-cache");
  GitSourceOptions opts;
  opts.repo = "git@github.com:org/config.git";
  opts.cache_dir = cache.str();
  auto no_hosts = GitSource::open(opts);
  REQUIRE_FALSE(no_hosts);
  CHECK(no_hosts.error().code == "MISSING_KNOWN_HOSTS");
  opts.credentials.known_hosts_file = "/dev/null";
  opts.credentials.ssh_key_file = "/nonexistent/key";
  CHECK(GitSource::open(opts));
}

TEST_CASE("read_ref_tree reads a working tree's directory as it was at a ref", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "work");
  repo.write("config/a.yaml", "old\n");
  repo.write("other/x.yaml", "x\n");
  const std::string base = repo.commit("base");
  repo.write("config/a.yaml", "new\n");
  repo.write("config/b.yaml", "b\n");
  repo.commit("change");
  repo.write("config/c.yaml", "uncommitted\n");
  load::LoadLimits limits;
  auto snap = read_ref_tree((repo.dir() / "config").string(), "HEAD~1", limits);
  REQUIRE(snap);
  CHECK(snap->commit == base);
  CHECK(paths_of(*snap) == std::vector<std::string>{"a.yaml"});
  CHECK(snap->files[0].content == "old\n");
  auto main_snap = read_ref_tree(repo.dir().string(), "main", "config", limits);
  REQUIRE(main_snap);
  CHECK(paths_of(*main_snap) == std::vector<std::string>{"a.yaml", "b.yaml"});
  auto bad = read_ref_tree(repo.dir().string(), "nope", limits);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "REF_NOT_FOUND");
  auto outside = read_ref_tree(tmp.str(), "main", limits);
  REQUIRE_FALSE(outside);
  CHECK(outside.error().code == "NOT_A_REPOSITORY");
}

TEST_CASE("fetch follows force-pushes and prunes deleted branches", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a.yaml", k_tenant);
  repo.commit("one");
  repo.git("branch doomed");
  repo.write("b.yaml", k_tenant);
  repo.commit("two");
  TempDir cache("plumb-cache");
  auto doomed = open_source(repo.url(), cache, "doomed");
  REQUIRE(doomed->snapshot());
  auto main_src = open_source(repo.url(), cache, "main");
  REQUIRE(main_src->snapshot());
  repo.git("branch -D doomed");
  repo.git("reset -q --hard HEAD~1");
  repo.write("c.yaml", k_tenant);
  const std::string rewritten = repo.commit("rewritten");
  auto snap = main_src->snapshot();
  REQUIRE(snap);
  CHECK((*snap)->commit == rewritten);
  auto gone = doomed->snapshot();
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == "REF_NOT_FOUND");
}

namespace {

// Everything a snapshot says, as one comparable text.
std::string snapshot_text(const Snapshot& s) {
  std::string out = s.commit + " bytes=" + std::to_string(s.total_bytes) + "\n";
  for (std::size_t i = 0; i < s.files.size(); ++i) out += s.files[i].path + " " + s.blob_ids[i] + " " + s.files[i].content + "\n";
  for (const auto& [dir, id] : s.tree_ids) out += "tree " + dir + " " + id + "\n";
  for (const auto& d : s.diagnostics.items()) out += d.code + " " + d.location.str() + "\n";
  return out;
}

// The snapshot of `commit` read by a fresh source (no previous snapshot to reuse).
std::string fresh_text(const GitRepo& repo, const std::string& commit, load::LoadLimits limits = {}) {
  TempDir cache("plumb-cache");
  auto snap = open_source(repo.url(), cache, commit, "", limits)->snapshot();
  REQUIRE(snap);
  return snapshot_text(**snap);
}

}  // namespace

TEST_CASE("a new commit reuses the unchanged directories and files of the last snapshot, reading the same", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  for (const char* t : {"acme", "beta", "gamma"}) {
    repo.write(std::string("tenants/") + t + "/tenant.yaml", k_tenant + "# " + t + "\n");
    repo.write(std::string("tenants/") + t + "/pipelines/a.yaml", std::string("# pipelines of ") + t + "\n");
  }
  repo.write("root.yaml", "# root\n");
  repo.commit("three tenants");
  TempDir cache("plumb-cache");
  auto src = open_source(repo.url(), cache);
  auto first = src->snapshot();
  REQUIRE(first);
  CHECK((*first)->tree_ids.count("tenants/acme/pipelines/") == 1);
  const std::string first_text = snapshot_text(**first);

  // One file changed deep down, a directory removed, one added, a root file changed.
  repo.write("tenants/acme/pipelines/a.yaml", "# changed\n");
  repo.remove("tenants/beta");
  repo.write("tenants/delta/tenant.yaml", k_tenant + "# delta\n");
  repo.write("root.yaml", "# root changed\n");
  const std::string second_commit = repo.commit("changes");
  auto second = src->snapshot();
  REQUIRE(second);
  CHECK(snapshot_text(**second) == fresh_text(repo, second_commit));
  CHECK(paths_of(**second) == std::vector<std::string>{"root.yaml", "tenants/acme/pipelines/a.yaml",
                                                       "tenants/acme/tenant.yaml", "tenants/delta/tenant.yaml",
                                                       "tenants/gamma/pipelines/a.yaml", "tenants/gamma/tenant.yaml"});
  CHECK((*second)->files[1].content == "# changed\n");
  CHECK((*second)->tree_ids.count("tenants/beta/") == 0);
  CHECK((*second)->tree_ids.at("tenants/gamma/pipelines/") == (*first)->tree_ids.at("tenants/gamma/pipelines/"));
  CHECK(snapshot_text(**first) == first_text);  // still held here: copied from, never emptied
}

TEST_CASE("a last snapshot nobody holds any more gives its unchanged files' contents to the next, reading the same", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  const std::string long_comment = "# a comment long enough to live outside the string object itself\n";
  for (const char* t : {"acme", "beta"}) {
    repo.write(std::string("tenants/") + t + "/tenant.yaml", k_tenant + long_comment);
    repo.write(std::string("tenants/") + t + "/pipelines/a.yaml", std::string("# pipelines of ") + t + "\n" + long_comment);
  }
  repo.commit("two tenants");
  TempDir cache("plumb-cache");
  auto src = open_source(repo.url(), cache);
  auto first = src->snapshot();
  REQUIRE(first);
  REQUIRE(paths_of(**first)[3] == "tenants/beta/tenant.yaml");
  const char* beta_tenant = (*first)->files[3].content.data();
  first->reset();  // as the controller does: it keeps only a weak reference

  // One directory changed, one file of another replaced: the rest moves over.
  repo.write("tenants/acme/pipelines/a.yaml", "# changed\n");
  repo.write("tenants/beta/pipelines/a.yaml", "# also changed\n");
  const std::string second_commit = repo.commit("changes");
  auto second = src->snapshot();
  REQUIRE(second);
  CHECK(snapshot_text(**second) == fresh_text(repo, second_commit));
  REQUIRE(paths_of(**second)[3] == "tenants/beta/tenant.yaml");
  CHECK((*second)->files[3].content.data() == beta_tenant);  // moved, not copied

  // And again from a snapshot that was itself built by moving.
  second->reset();
  repo.remove("tenants/acme");
  const std::string third_commit = repo.commit("acme gone");
  auto third = src->snapshot();
  REQUIRE(third);
  CHECK(snapshot_text(**third) == fresh_text(repo, third_commit));
}

TEST_CASE("reused directories still count against the file and size limits, reported as a fresh read would", "[source][git]") {
  TempDir tmp("plumb-src");
  GitRepo repo(tmp.path() / "config");
  repo.write("a/one.yaml", "# 1\n");
  repo.write("b/two.yaml", "# 2\n");
  repo.write("c/three.yaml", "# 3\n");
  repo.commit("three files");
  load::LoadLimits limits;
  limits.max_files = 3;
  TempDir cache("plumb-cache");
  auto src = open_source(repo.url(), cache, "main", "", limits);
  auto first = src->snapshot();
  REQUIRE(first);
  REQUIRE((*first)->diagnostics.items().empty());
  repo.write("0/zero.yaml", "# 0\n");  // read first, so a reused directory is the one over the limit
  const std::string over = repo.commit("a fourth file");
  auto second = src->snapshot();
  REQUIRE(second);
  CHECK(has_code((*second)->diagnostics, "TOO_MANY_FILES"));
  CHECK(snapshot_text(**second) == fresh_text(repo, over, limits));

  // After a snapshot with findings nothing is reused, and the next read is still the same.
  repo.remove("0");
  const std::string back = repo.commit("back to three");
  auto third = src->snapshot();
  REQUIRE(third);
  CHECK((*third)->diagnostics.items().empty());
  CHECK(snapshot_text(**third) == fresh_text(repo, back, limits));
}
