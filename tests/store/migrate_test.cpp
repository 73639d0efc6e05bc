#include <thread>

#include "reconciler/store/store.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;

TEST_CASE("migrate creates the schema once and a second run applies nothing", "[store]") {
  const std::string url = plumb::testing::fresh_database();
  CHECK(must(store::migrate(url)) >= 1);
  CHECK(must(store::migrate(url)) == 0);
  const std::string versions = plumb::testing::psql(url, "SELECT count(*) FROM plumb.schema_migrations");
  CHECK(std::stoi(versions) >= 1);
  auto db = must(store::Store::open(url));
  auto actual = must(db.read_actual());
  CHECK(actual.resources.empty());
  CHECK(actual.revision >= 1);
}

TEST_CASE("migrate honours a custom schema name and refuses an unsafe one", "[store]") {
  const std::string url = plumb::testing::fresh_database();
  store::StoreOptions custom;
  custom.schema = "plumb_alt";
  CHECK(must(store::migrate(url, custom)) >= 1);
  CHECK(plumb::testing::psql(url, "SELECT count(*) FROM plumb_alt.tenants") == "0\n");
  store::StoreOptions bad;
  bad.schema = "x; DROP TABLE y";
  auto refused = store::migrate(url, bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "INVALID_SCHEMA");
}

TEST_CASE("opening an unreachable database is a transient error, not an exception", "[store]") {
  auto opened = store::Store::open("host=/nonexistent-socket-dir port=1 user=nobody dbname=none");
  REQUIRE_FALSE(opened);
  CHECK(opened.error().kind == ErrorKind::transient);
  CHECK(opened.error().code == "DB_UNAVAILABLE");
}

TEST_CASE("replicas migrating at once do not race", "[store]") {
  const std::string url = plumb::testing::fresh_database();
  Result<int> a = 0, b = 0;
  std::thread ta([&] { a = store::migrate(url); });
  std::thread tb([&] { b = store::migrate(url); });
  ta.join();
  tb.join();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a + *b >= 1);
  CHECK((*a == 0 || *b == 0));
}

TEST_CASE("a configured token key is used instead of the stored fallback", "[store][token]") {
  const std::string url = plumb::testing::fresh_database();
  store::StoreOptions options;
  options.token_key = std::string(32, 'k');
  must(store::migrate(url, options));
  CHECK(plumb::testing::psql(url, "SELECT count(*) FROM plumb.server_secrets") == "0\n");
  CHECK(store::Store::open(url, options).has_value());
  auto without = store::Store::open(url);
  REQUIRE_FALSE(without);
  CHECK(without.error().code == "NO_TOKEN_KEY");
}

TEST_CASE("opening a database that was never migrated says so", "[store]") {
  const std::string url = plumb::testing::fresh_database();
  auto opened = store::Store::open(url);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == "NOT_MIGRATED");
  CHECK_THAT(opened.error().message, Catch::Contains("plumb migrate"));
}
