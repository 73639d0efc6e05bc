#include <chrono>
#include <iostream>

#include "tests/store/store_fixtures.hpp"

using namespace plumb;
using namespace plumb::store::testing;

TEST_CASE("an apply of 10k resources completes in one transaction and reads back unchanged",
          "[store][scale]") {
  auto db = fresh_store();
  std::vector<model::Resource> desired;
  for (int t = 0; t < 100; ++t) {
    const std::string tn = "tenant-" + std::to_string(t);
    desired.push_back(tenant(tn));
    desired.push_back(role(tn, "reader", {"pipelines:read"}));
    for (int w = 0; w < 8; ++w) {
      const std::string wn = "ws-" + std::to_string(w);
      desired.push_back(workspace(tn, wn, {"postgres"}));
      for (int p = 0; p < 11; ++p) desired.push_back(pipeline(tn, wn, "p-" + std::to_string(p)));
    }
    desired.push_back(token(tn, "ci-token", "reader", "720h"));
    desired.push_back(token(tn, "deploy-token", "viewer"));
  }
  REQUIRE(desired.size() == 10000);
  auto plan = simple_plan(desired, must(db.store.read_actual()));
  const auto t0 = std::chrono::steady_clock::now();
  store::ApplyOptions options;
  std::string steps;
  options.progress = [&](std::size_t done, std::size_t) {
    steps += " " + std::to_string(done) + "@" +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
                     .count()) +
             "ms";
  };
  auto result = must(db.store.apply(plan, options));
  const auto t1 = std::chrono::steady_clock::now();
  auto actual = must(db.store.read_actual());
  const auto t2 = std::chrono::steady_clock::now();
  CHECK(result.created == 10000);
  CHECK(actual.resources.size() == 10000);
  CHECK(simple_plan(desired, actual).empty());
  auto verify = must(db.store.verify_audit());
  const auto t3 = std::chrono::steady_clock::now();
  CHECK(verify.ok);
  auto ms = [](auto a, auto b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
  };
  std::cout << "[store scale] apply of 10000 resources: " << ms(t0, t1) << " ms; read_actual: " << ms(t1, t2)
            << " ms; verify_audit of " << verify.checked << " rows: " << ms(t2, t3) << " ms (steps:" << steps
            << ")\n";
}
