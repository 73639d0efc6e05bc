#include <catch2/catch.hpp>

#include "api/cursor.hpp"
#include "api/permissions.hpp"
#include "api/rate_limiter.hpp"
#include "api/reply.hpp"
#include "api/router.hpp"
#include "api/webhook.hpp"
#include "reconciler/util/crypto.hpp"

using namespace plumb::api;

TEST_CASE("a cursor round-trips for the scope and tenant it was minted for", "[api][cursor]") {
  CursorCodec codec("server-key");
  const auto cursor = codec.encode("tenants", "*", {"acme", "x"});
  const auto key = codec.decode(cursor, "tenants", "*");
  REQUIRE(key);
  CHECK(*key == std::vector<std::string>{"acme", "x"});
}

TEST_CASE("a cursor moved to another route, tenant or server key is refused", "[api][cursor]") {
  CursorCodec codec("server-key");
  const auto cursor = codec.encode("roles:acme", "acme", {"admin"});
  CHECK_FALSE(codec.decode(cursor, "roles:globex", "acme"));
  CHECK_FALSE(codec.decode(cursor, "roles:acme", "globex"));
  CHECK_FALSE(CursorCodec("other-key").decode(cursor, "roles:acme", "acme"));
}

TEST_CASE("a tampered or garbage cursor is refused", "[api][cursor]") {
  CursorCodec codec("server-key");
  std::string cursor = codec.encode("tenants", "*", {"acme"});
  std::string forged = plumb::crypto::base64url_encode("[\"zzz\"]") + cursor.substr(cursor.find('.'));
  CHECK_FALSE(codec.decode(forged, "tenants", "*"));
  cursor[2] = cursor[2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(codec.decode(cursor, "tenants", "*"));
  CHECK_FALSE(codec.decode("", "tenants", "*"));
  CHECK_FALSE(codec.decode("....", "tenants", "*"));
  CHECK_FALSE(codec.decode(std::string(5000, 'a'), "tenants", "*"));
}

TEST_CASE("the rate limiter allows a burst of its budget then asks to wait", "[api][ratelimit]") {
  RateLimiter limiter(60);
  const auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 60; ++i) REQUIRE(limiter.acquire("k", t0) == 0);
  const long wait = limiter.acquire("k", t0);
  CHECK(wait >= 1);
  CHECK(limiter.acquire("other", t0) == 0);
  CHECK(limiter.acquire("k", t0 + std::chrono::seconds(2)) == 0);
}

TEST_CASE("the router tells unknown paths from known paths with another method", "[api][router]") {
  Router router;
  router.add(Route{"GET", "/v1/tenants/{tenant}", true, std::nullopt, true, nullptr});
  router.add(Route{"POST", "/v1/syncs", true, std::nullopt, false, nullptr});
  auto m = router.match("GET", "/v1/tenants/acme");
  REQUIRE(m.route);
  CHECK(m.params == std::vector<std::string>{"acme"});
  CHECK_FALSE(router.match("GET", "/v1/tenants/acme/").route);
  CHECK_FALSE(router.match("GET", "/v1/tenants").route);
  CHECK(router.match("GET", "/v1/tenants").allowed.empty());
  auto wrong = router.match("DELETE", "/v1/tenants/acme");
  CHECK_FALSE(wrong.route);
  CHECK(wrong.allowed == std::vector<std::string>{"GET"});
  CHECK(router.match("GET", "/v1/syncs").allowed == std::vector<std::string>{"POST"});
  CHECK_FALSE(router.match("GET", "/v1/tenants/a%2Fb").route);
}

TEST_CASE("permissions are denied by default and wildcards match either part", "[api][auth]") {
  CHECK(allows({"*:read"}, Permission{"drift", "read"}));
  CHECK_FALSE(allows({"*:read"}, Permission{"syncs", "trigger"}));
  CHECK(allows({"syncs:*"}, Permission{"syncs", "trigger"}));
  CHECK_FALSE(allows({}, Permission{"drift", "read"}));
  CHECK_FALSE(allows({"garbage"}, Permission{"drift", "read"}));
  CHECK_FALSE(allows(builtin_grants("admin"), Permission{"tokens", "reveal"}));
  CHECK(allows(builtin_grants("admin"), Permission{"tokens", "read"}));
  CHECK(allows(builtin_grants("auditor"), Permission{"audit", "read"}));
  CHECK_FALSE(allows(builtin_grants("auditor"), Permission{"tenants", "read"}));
  CHECK_FALSE(allows(builtin_grants("viewer"), Permission{"syncs", "trigger"}));
  CHECK(builtin_grants("custom-role").empty());
}

TEST_CASE("webhook signatures of GitHub, Gitea and GitLab are checked against the raw body", "[api][webhook]") {
  const std::string body = R"({"ref":"refs/heads/main"})";
  const std::string mac = plumb::crypto::hmac_sha256_hex("s3cret", body);
  CHECK(verify_webhook({"sha256=" + mac, "", ""}, "s3cret", body));
  CHECK_FALSE(verify_webhook({"sha256=" + mac, "", ""}, "s3cret", body + " "));
  CHECK_FALSE(verify_webhook({mac, "", ""}, "s3cret", body));
  CHECK(verify_webhook({"", mac, ""}, "s3cret", body));
  CHECK(verify_webhook({"", "", "s3cret"}, "s3cret", body));
  CHECK_FALSE(verify_webhook({"", "", "wrong"}, "s3cret", body));
  CHECK_FALSE(verify_webhook({"", "", ""}, "s3cret", body));
  CHECK_FALSE(verify_webhook({"", "", ""}, "", body));
}

TEST_CASE("a push matches the tracked ref by full or short name only", "[api][webhook]") {
  CHECK(ref_matches("refs/heads/main", "main"));
  CHECK(ref_matches("refs/heads/main", "refs/heads/main"));
  CHECK_FALSE(ref_matches("refs/heads/main2", "main"));
  CHECK_FALSE(ref_matches("refs/tags/main", "main"));
  CHECK_FALSE(ref_matches("", "main"));
}

TEST_CASE("correlation ids are echoed only when well-formed", "[api][reply]") {
  CHECK(correlation_id_for("abc-1234.x:y_z") == "abc-1234.x:y_z");
  CHECK(correlation_id_for("short") != "short");
  CHECK(correlation_id_for("has space 12345") != "has space 12345");
  CHECK(correlation_id_for(std::string(129, 'a')).size() == 24);
}

TEST_CASE("If-None-Match matches lists, weak forms and the wildcard", "[api][reply]") {
  const std::string etag = strong_etag("{}");
  CHECK(if_none_match_hits(etag, etag));
  CHECK(if_none_match_hits("\"x\", " + etag, etag));
  CHECK(if_none_match_hits("W/" + etag, etag));
  CHECK(if_none_match_hits("*", etag));
  CHECK_FALSE(if_none_match_hits("\"x\"", etag));
  CHECK(strong_etag("{}") != strong_etag("[]"));
}
