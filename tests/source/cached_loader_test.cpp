#include <algorithm>

#include <catch2/catch.hpp>

#include "reconciler/source/cached_loader.hpp"
#include "reconciler/source/git_source.hpp"
#include "tests/source/git_fixture.hpp"

using namespace plumb;
using namespace plumb::source;
using plumb::testing::GitRepo;
using plumb::testing::TempDir;

namespace {

std::string tenant(const std::string& name, const std::string& plan = "starter") {
  return "apiVersion: plumb.dev/v1\nkind: Tenant\nmetadata:\n  name: " + name + "\nspec:\n  displayName: " + name +
         "\n  plan: " + plan + "\n  adminEmail: admin@" + name + ".example.com\n";
}

// A config repo, the loader under test, and the Git source it reads through (opened at the
// first load, once the repo has a commit).
struct Setup {
  TempDir tmp{"plumb-cache-test"};
  GitRepo repo{tmp.path() / "config"};
  TempDir cache{"plumb-cache"};
  std::unique_ptr<GitSource> src;
  CachedLoader loader;

  // The loader's result for the repo's current commit.
  CachedLoad load() {
    if (!src) {
      GitSourceOptions opts;
      opts.repo = repo.url();
      opts.cache_dir = cache.str();
      auto opened = GitSource::open(opts);
      REQUIRE(opened);
      src = std::move(*opened);
    }
    auto snap = src->snapshot();
    REQUIRE(snap);
    return loader.load(**snap);
  }
};

}  // namespace

TEST_CASE("an unchanged file is parsed once however many commits follow", "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  auto& loader = setup.loader;
  repo.write("acme.yaml", tenant("acme"));
  repo.write("globex.yaml", tenant("globex"));
  repo.commit("one");

  auto first = setup.load();
  INFO((first.diagnostics.empty() ? std::string() : first.diagnostics.items()[0].message));
  CHECK_FALSE(first.diagnostics.has_errors());
  CHECK(first.desired->resources.size() == 2);
  CHECK(first.desired->commit == repo.head());
  CHECK(loader.stats().misses == 2);
  CHECK(loader.stats().hits == 0);

  setup.load();
  CHECK(loader.stats().misses == 2);
  CHECK(loader.stats().hits == 2);

  repo.write("globex.yaml", tenant("globex", "growth"));
  repo.write("umbrella.yaml", tenant("umbrella"));
  repo.commit("two");
  auto third = setup.load();
  CHECK(third.desired->resources.size() == 3);
  CHECK(loader.stats().misses == 4);  // globex changed, umbrella is new
  CHECK(loader.stats().hits == 3);    // acme again

  repo.remove("umbrella.yaml");
  repo.commit("three");
  setup.load();
  CHECK(loader.stats().entries == 2);  // pruned to the latest commit's files
}

TEST_CASE("a refused symlink makes the loaded revision invalid", "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  repo.write("acme.yaml", tenant("acme"));
  std::filesystem::create_symlink("/etc/passwd", repo.dir() / "passwd.yaml");
  repo.commit("one");
  auto result = setup.load();
  CHECK(result.diagnostics.has_errors());
  CHECK(result.previous == nullptr);
  for (const auto& r : result.desired->resources) CHECK(r.source.file != "passwd.yaml");
}

TEST_CASE("the loader serves unchanged files from the desired state it handed out, held once", "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  auto& loader = setup.loader;
  repo.write("acme.yaml", tenant("acme"));
  repo.write("globex.yaml", tenant("globex"));
  repo.commit("one");
  auto first = setup.load();
  CHECK(first.desired.use_count() == 2);  // ours and the loader's: one copy of the resources

  repo.write("globex.yaml", tenant("globex", "growth"));
  repo.commit("two");
  auto second = setup.load();
  CHECK(first.desired.use_count() == 1);  // the loader moved on to the new state
  REQUIRE(second.desired->resources.size() == 2);
  const auto& acme = second.desired->resources[0];
  CHECK(acme.key.name == "acme");
  CHECK(acme.canonical() == first.desired->resources[0].canonical());
  CHECK(acme.source.str() == first.desired->resources[0].source.str());
  CHECK(second.desired->resources[1].spec["plan"] == "growth");
  CHECK(loader.stats().hits == 1);
}

TEST_CASE("a file whose resource is declared twice is parsed again, and the duplicate reported again",
          "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  auto& loader = setup.loader;
  repo.write("a.yaml", tenant("acme"));
  repo.write("b.yaml", tenant("acme", "growth"));
  repo.commit("one");
  auto code = [](const CachedLoad& l) { return l.diagnostics.empty() ? std::string() : l.diagnostics.items()[0].code; };
  auto first = setup.load();
  CHECK(code(first) == "DUPLICATE_RESOURCE");
  CHECK(loader.stats().entries == 0);  // nothing is kept of an invalid revision
  CHECK(first.previous == nullptr);    // and there was no valid one before it
  auto again = setup.load();
  CHECK(code(again) == "DUPLICATE_RESOURCE");
  CHECK(loader.stats().misses == 4);
  CHECK(loader.stats().hits == 0);
  REQUIRE(again.desired->resources.size() == 1);
  CHECK(again.desired->resources[0].source.file == "a.yaml");

  // Fixed: valid, and from then on served from the state.
  repo.write("b.yaml", tenant("beta", "growth"));
  repo.commit("two");
  auto fixed = setup.load();
  CHECK_FALSE(fixed.diagnostics.has_errors());
  CHECK(fixed.desired->resources.size() == 2);
  CHECK(loader.stats().entries == 2);
}

TEST_CASE("a caller that lets go of the state in force gets its resources moved, and it back if invalid",
          "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  auto& loader = setup.loader;
  repo.write("acme.yaml", tenant("acme"));
  repo.write("globex.yaml", tenant("globex"));
  repo.commit("one");
  auto in_force = setup.load().desired;
  REQUIRE(in_force);
  const std::string acme = in_force->resources[0].canonical();

  // Invalid: the state in force comes back untouched, though the caller let go of it.
  repo.write("globex.yaml", tenant("globex", "platinum"));
  repo.commit("bad plan");
  const model::DesiredState* address = in_force.get();
  in_force.reset();
  auto bad = setup.load();
  REQUIRE(bad.diagnostics.has_errors());
  REQUIRE(bad.previous);
  CHECK(bad.previous.get() == address);
  REQUIRE(bad.previous->resources.size() == 2);
  CHECK(bad.previous->resources[0].canonical() == acme);
  CHECK(bad.previous->resources[1].spec["plan"] == "starter");
  in_force = std::move(bad.previous);

  // Valid again: acme.yaml is served from the state in force. Held by the caller, it is copied
  // (the caller's state stays whole); let go of, it is moved.
  repo.write("globex.yaml", tenant("globex", "growth"));
  repo.commit("growth");
  auto copied = setup.load();
  REQUIRE_FALSE(copied.diagnostics.has_errors());
  CHECK(in_force->resources[0].canonical() == acme);  // still whole
  CHECK(copied.desired->resources[0].canonical() == acme);
  CHECK(loader.stats().hits == 1 + 1);  // acme.yaml at the invalid and at this load

  in_force = std::move(copied.desired);
  repo.write("umbrella.yaml", tenant("umbrella"));
  repo.commit("umbrella");
  const model::DesiredState* old = in_force.get();
  in_force.reset();
  auto moved = setup.load();
  REQUIRE_FALSE(moved.diagnostics.has_errors());
  CHECK(moved.previous == nullptr);
  REQUIRE(moved.desired->resources.size() == 3);
  CHECK(moved.desired->resources[0].canonical() == acme);
  CHECK(moved.desired->resources[1].spec["plan"] == "growth");
  CHECK(moved.desired.get() != old);
  CHECK(loader.stats().hits == 2 + 2);
}

TEST_CASE("a valid load after a valid one names every key whose resource may have changed", "[source][cache]") {
  Setup setup;
  auto& repo = setup.repo;
  repo.write("acme.yaml", tenant("acme"));
  repo.write("globex.yaml", tenant("globex"));
  repo.write("initech.yaml", tenant("initech"));
  repo.commit("one");
  auto names = [](const std::optional<std::vector<model::ResourceKey>>& keys) {
    std::vector<std::string> out;
    for (const auto& k : *keys) out.push_back(k.str());
    std::sort(out.begin(), out.end());
    return out;
  };
  auto first = setup.load();
  CHECK_FALSE(first.changed);  // nothing to compare with

  repo.write("globex.yaml", tenant("globex", "growth"));  // edited
  repo.remove("initech.yaml");                            // removed
  repo.write("umbrella.yaml", tenant("umbrella"));        // added
  repo.commit("two");
  auto second = setup.load();
  REQUIRE(second.changed);
  // globex twice: as it was (the old blob) and as it is (the new one).
  CHECK(names(second.changed) ==
        std::vector<std::string>{"Tenant/globex", "Tenant/globex", "Tenant/initech", "Tenant/umbrella"});

  repo.write("globex.yaml", tenant("globex", "platinum"));
  repo.commit("invalid");
  CHECK_FALSE(setup.load().changed);
  repo.write("globex.yaml", tenant("globex", "enterprise"));
  repo.commit("three");
  auto third = setup.load();
  REQUIRE(third.changed);  // against the last valid state, the invalid one in between kept nothing
  CHECK(names(third.changed) == std::vector<std::string>{"Tenant/globex", "Tenant/globex"});
}
