// The API over the real store: tokens minted by store::apply authenticate through the API,
// reveal works exactly once and is audited, audit verify reports the real chain.
#include <catch2/catch.hpp>

#include "api/store_bridge.hpp"
#include "reconciler/store/store.hpp"
#include "tests/api/http_support.hpp"
#include "tests/support/pg_harness.hpp"

using namespace plumb;
using namespace plumb::api;
using namespace plumb::api::testing;

namespace {

const std::string k_token_key = "token-key-for-api-store-tests";

model::Resource resource(model::Kind kind, std::string tenant, std::string name, model::Json spec) {
  model::Resource r;
  r.key = model::ResourceKey{kind, std::move(tenant), "", std::move(name)};
  r.spec = std::move(spec);
  return r;
}

plan::Change create(model::Resource desired, bool rotate = false) {
  plan::Change change;
  change.action = plan::Action::create;
  change.key = desired.key;
  change.desired = std::move(desired);
  change.reason = "declared in Git, absent from the database";
  change.rotate_secret = rotate;
  return change;
}

// A migrated database holding tenant acme and its token acme/deploy (role viewer), minted by apply.
std::string minted_database() {
  const std::string url = plumb::testing::fresh_database();
  store::StoreOptions options;
  options.token_key = k_token_key;
  REQUIRE(store::migrate(url, options));
  auto db = store::Store::open(url, options);
  REQUIRE(db);
  auto revision = db->current_revision();
  REQUIRE(revision);
  plan::Plan plan;
  plan.actual_revision = *revision;
  plan.changes.push_back(create(resource(model::Kind::tenant, "", "acme",
                                         {{"displayName", "Acme"}, {"plan", "growth"}, {"status", "active"},
                                          {"adminEmail", "admin@acme.example.com"}})));
  plan.changes.push_back(create(resource(model::Kind::api_token, "acme", "deploy",
                                         {{"description", ""}, {"role", "viewer"}, {"rotation", 0}}),
                                true));
  plan.summary.create = 2;
  auto applied = db->apply(plan);
  if (!applied) FAIL("apply failed: " << applied.error().code << ": " << applied.error().message);
  REQUIRE(applied->minted_tokens.size() == 1);
  return url;
}

}  // namespace

TEST_CASE("a token minted by the store authenticates through the API after its one reveal", "[api][store]") {
  const std::string url = minted_database();
  store::StoreOptions options;
  options.token_key = k_token_key;
  ApiConfig config = test_config(url);
  config.token_key = k_token_key;
  auto server = std::make_unique<Server>(config, ControllerHooks{}, make_store_hooks(url, options));
  REQUIRE(server->start());
  auto cli = client(*server);

  auto revealed = cli->Post("/v1/tenants/acme/tokens/deploy/reveal", bearer(k_admin), "", "application/json");
  REQUIRE(revealed);
  REQUIRE(revealed->status == 200);
  const std::string secret = body_json(revealed)["token"];
  CHECK(secret.rfind("plb_", 0) == 0);

  auto again = cli->Post("/v1/tenants/acme/tokens/deploy/reveal", bearer(k_admin), "", "application/json");
  REQUIRE(again);
  CHECK(again->status == 409);
  auto missing = cli->Post("/v1/tenants/acme/tokens/nope/reveal", bearer(k_admin), "", "application/json");
  REQUIRE(missing);
  CHECK(missing->status == 404);

  auto own = cli->Get("/v1/tenants/acme", bearer(secret));
  REQUIRE(own);
  CHECK(own->status == 200);
  auto denied = cli->Post("/v1/syncs", bearer(secret), "", "application/json");
  REQUIRE(denied);
  CHECK(denied->status == 403);  // viewer: no syncs:trigger

  const Json token = body_json(cli->Get("/v1/tenants/acme/tokens/deploy", bearer(k_admin)));
  CHECK(token["status"] == "Active");
  CHECK(token.dump().find(secret) == std::string::npos);
  CHECK_FALSE(token.contains("secretHash"));
  CHECK_FALSE(token.contains("pendingSecret"));

  const Json audit = body_json(cli->Get("/v1/audit?action=token.reveal", bearer(k_admin)));
  REQUIRE(audit["data"].size() == 1);
  CHECK(audit["data"][0]["actor"] == "admin");
  const Json verdict = body_json(cli->Get("/v1/audit/verify", bearer(k_admin)));
  CHECK(verdict["intact"] == true);
  CHECK(verdict["checked"].get<int>() >= 3);
}

TEST_CASE("the API's token hash matches the store's", "[api][store]") {
  const std::string url = minted_database();
  store::StoreOptions options;
  options.token_key = k_token_key;
  auto db = store::Store::open(url, options);
  REQUIRE(db);
  auto secret = db->reveal_token("acme", "deploy", "test", "corr-12345678");
  REQUIRE(secret);
  ApiConfig config = test_config(url);  // no token key: read from server_secrets? no: configured
  config.token_key = k_token_key;
  auto server = start(config);
  auto res = client(*server)->Get("/v1/tenants", bearer(*secret));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(body_json(res)["data"].size() == 1);
  auto wrong_key = test_config(url);
  wrong_key.token_key = "another-key";
  auto other = start(wrong_key);
  CHECK(client(*other)->Get("/v1/tenants", bearer(*secret))->status == 401);
}
