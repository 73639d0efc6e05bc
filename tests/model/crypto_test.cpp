#include <catch2/catch.hpp>

#include "reconciler/util/crypto.hpp"
#include "reconciler/util/token_format.hpp"

using namespace plumb;

TEST_CASE("sha256 and hmac match published vectors", "[util]") {
  CHECK(crypto::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  CHECK(crypto::hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("generated tokens have the documented shape and a valid checksum", "[util]") {
  std::string t = token_format::generate();
  CHECK(t.size() == token_format::k_total_length);
  CHECK(t.rfind("plb_", 0) == 0);
  CHECK(token_format::is_valid(t));
  CHECK(token_format::contains_token_shape("value: " + t + "\n"));
  std::string broken = t;
  broken[10] = broken[10] == 'a' ? 'b' : 'a';
  CHECK_FALSE(token_format::is_valid(broken));
  CHECK(token_format::generate() != t);
  CHECK(token_format::mask(t).find(t.substr(4, 32)) == std::string::npos);
}

TEST_CASE("sealed secrets open only with the right key and untampered", "[util]") {
  std::string key = crypto::random_bytes(32);
  std::string sealed = crypto::encrypt(key, "hello");
  std::string out;
  REQUIRE(crypto::decrypt(key, sealed, out));
  CHECK(out == "hello");
  CHECK_FALSE(crypto::decrypt(crypto::random_bytes(32), sealed, out));
  sealed[15] ^= 1;
  CHECK_FALSE(crypto::decrypt(key, sealed, out));
}

TEST_CASE("base64url round-trips and rejects non-canonical text", "[util]") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    std::string out;
    REQUIRE(crypto::base64url_decode(crypto::base64url_encode(s), out));
    CHECK(out == s);
  }
  std::string out;
  CHECK_FALSE(crypto::base64url_decode("a", out));
  CHECK_FALSE(crypto::base64url_decode("ab+c", out));
  CHECK_FALSE(crypto::base64url_decode("YR", out));  // "YQ" is the canonical form of "a"
}
