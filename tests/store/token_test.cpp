#include "reconciler/util/token_format.hpp"
#include "tests/store/store_fixtures.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::store::testing;
using plumb::testing::psql;

namespace {

std::vector<model::Resource> with_token(int rotation, const std::string& ttl = "720h") {
  auto t = token("acme", "ci", "viewer", ttl);
  t.spec["rotation"] = rotation;
  return {tenant("acme"), t};
}

std::string hash_of(const TestDb& db) {
  return psql(db.url, "SELECT secret_hash FROM plumb.api_tokens WHERE name = 'ci'");
}

}  // namespace

TEST_CASE("a created token stores only its keyed hash and a sealed secret", "[store][token]") {
  auto db = fresh_store();
  auto result = must(db.store.apply(simple_plan(with_token(0), must(db.store.read_actual()))));
  REQUIRE(result.minted_tokens.size() == 1);
  CHECK(result.minted_tokens[0].name == "ci");
  CHECK(psql(db.url,
             "SELECT secret_hash ~ '^[0-9a-f]{64}$', pending_secret IS NOT NULL, revealed_at IS NULL, "
             "minted_at IS NOT NULL FROM plumb.api_tokens") == "t|t|t|t\n");
}

TEST_CASE("a token is revealed exactly once, audited, and then authenticates", "[store][token]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan(with_token(0), must(db.store.read_actual()))));
  const auto revision = must(db.store.current_revision());
  const std::string secret = must(db.store.reveal_token("acme", "ci", "admin", "corr-12345678"));
  CHECK(token_format::is_valid(secret));
  CHECK(must(db.store.current_revision()) == revision);  // a reveal changes no spec
  auto again = db.store.reveal_token("acme", "ci", "admin", "corr-12345678");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == "TOKEN_ALREADY_REVEALED");
  CHECK(again.error().kind == ErrorKind::conflict);
  auto missing = db.store.reveal_token("acme", "nope", "admin", "");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "TOKEN_NOT_FOUND");
  CHECK(psql(db.url, "SELECT pending_secret IS NULL, revealed_at IS NOT NULL FROM plumb.api_tokens") ==
        "t|t\n");
  CHECK(psql(db.url,
             "SELECT actor || '|' || actor_type || '|' || correlation_id FROM plumb.audit_log "
             "WHERE action = 'token.reveal'") == "admin|api|corr-12345678\n");
  auto who = must(db.store.authenticate_token(secret));
  REQUIRE(who);
  CHECK(who->tenant == "acme");
  CHECK(who->name == "ci");
  CHECK(who->role == "viewer");
  CHECK(who->expires_at.has_value());
  CHECK_FALSE(must(db.store.authenticate_token(token_format::generate())));
  CHECK(must(db.store.verify_audit()).ok);
}

TEST_CASE("bumping rotation regenerates the secret and the old one stops working", "[store][token]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan(with_token(0), must(db.store.read_actual()))));
  const std::string first = must(db.store.reveal_token("acme", "ci", "admin", ""));
  const std::string first_hash = hash_of(db);
  auto plan = simple_plan(with_token(1), must(db.store.read_actual()));
  REQUIRE(plan.changes.size() == 1);
  REQUIRE(plan.changes[0].rotate_secret);
  auto result = must(db.store.apply(plan));
  CHECK(result.minted_tokens.size() == 1);
  CHECK(hash_of(db) != first_hash);
  CHECK(psql(db.url, "SELECT count(*) FROM plumb.audit_log WHERE action = 'token.rotate'") == "1\n");
  const std::string second = must(db.store.reveal_token("acme", "ci", "admin", ""));
  CHECK(second != first);
  CHECK_FALSE(must(db.store.authenticate_token(first)));
  CHECK(must(db.store.authenticate_token(second)));

  // A description change is no rotation: the secret stays.
  auto described = with_token(1);
  described[1].spec["description"] = "now documented";
  const std::string kept_hash = hash_of(db);
  CHECK(must(db.store.apply(simple_plan(described, must(db.store.read_actual())))).minted_tokens.empty());
  CHECK(hash_of(db) == kept_hash);
  CHECK(must(db.store.authenticate_token(second)));
}

TEST_CASE("token expiry comes from ttl by the database clock, or from expiresAt", "[store][token]") {
  auto db = fresh_store();
  auto desired = with_token(0, "720h");
  desired.push_back(token("acme", "fixed", "viewer", "", "2031-01-31T12:00:00Z"));
  desired.push_back(token("acme", "old", "viewer", "", "2001-01-01T00:00:00Z"));
  must(db.store.apply(simple_plan(desired, must(db.store.read_actual()))));
  CHECK(psql(db.url, "SELECT expires_at - minted_at FROM plumb.api_tokens WHERE name = 'ci'") == "30 days\n");
  CHECK(psql(db.url, "SELECT plumb.rfc3339(expires_at) FROM plumb.api_tokens WHERE name = 'fixed'") ==
        "2031-01-31T12:00:00Z\n");
  const std::string old = must(db.store.reveal_token("acme", "old", "admin", ""));
  CHECK_FALSE(must(db.store.authenticate_token(old)));  // expired
  // A changed ttl keeps its anchor at the mint time.
  auto longer = desired;
  longer[1].spec["ttl"] = "1440h";
  must(db.store.apply(simple_plan(longer, must(db.store.read_actual()))));
  CHECK(psql(db.url, "SELECT expires_at - minted_at FROM plumb.api_tokens WHERE name = 'ci'") == "60 days\n");
  CHECK(simple_plan(longer, must(db.store.read_actual())).empty());
}

TEST_CASE("no token plaintext anywhere in a dump of the database", "[store][token]") {
  auto db = fresh_store();
  auto desired = with_token(0);
  desired.push_back(token("acme", "other", "viewer"));
  must(db.store.apply(simple_plan(desired, must(db.store.read_actual()))));
  std::vector<std::string> secrets = {must(db.store.reveal_token("acme", "ci", "admin", ""))};
  desired[1].spec["rotation"] = 1;
  must(db.store.apply(simple_plan(desired, must(db.store.read_actual()))));
  secrets.push_back(must(db.store.reveal_token("acme", "ci", "admin", "")));
  // "other" stays pending (sealed in the database), and must not leak either.
  const std::string dump = plumb::testing::pg_dump(db.url);
  CHECK_THAT(dump, Catch::Contains("api_tokens"));
  for (const auto& secret : secrets) CHECK(dump.find(secret) == std::string::npos);
  CHECK_FALSE(token_format::contains_token_shape(dump));
  secrets.push_back(must(db.store.reveal_token("acme", "other", "admin", "")));
  const std::string after = plumb::testing::pg_dump(db.url);
  for (const auto& secret : secrets) CHECK(after.find(secret) == std::string::npos);
  CHECK_FALSE(token_format::contains_token_shape(after));
}

TEST_CASE("a read-only store needs no token key and refuses to write or touch tokens", "[store][token]") {
  auto db = fresh_store();
  must(db.store.apply(simple_plan(with_token(0), must(db.store.read_actual()))));
  psql(db.url, "DELETE FROM plumb.server_secrets");  // no fallback key either
  store::StoreOptions options;
  options.read_only = true;
  auto reader = must(store::Store::open(db.url, options));
  const auto actual = must(reader.read_actual());
  CHECK(actual.resources.size() == 2);
  CHECK(must(reader.verify_audit()).ok);
  const auto revision = must(reader.current_revision());
  auto updated = with_token(1);
  auto apply = reader.apply(simple_plan(updated, actual));
  REQUIRE_FALSE(apply);
  CHECK(apply.error().code == "READ_ONLY_STORE");
  CHECK(must(reader.current_revision()) == revision);
  auto reveal = reader.reveal_token("acme", "ci", "admin", "corr-12345678");
  REQUIRE_FALSE(reveal);
  CHECK(reveal.error().code == "READ_ONLY_STORE");
  auto auth = reader.authenticate_token(token_format::generate());
  REQUIRE_FALSE(auth);
  CHECK(auth.error().code == "READ_ONLY_STORE");
  // The same database opened for writing has no key now: refused with a way out.
  auto writer = store::Store::open(db.url, {});
  REQUIRE_FALSE(writer);
  CHECK(writer.error().code == "NO_TOKEN_KEY");
}
