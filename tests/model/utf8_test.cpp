#include <catch2/catch.hpp>

#include <string>

#include "reconciler/util/utf8.hpp"

using plumb::utf8::first_invalid_byte;
using plumb::utf8::is_valid;

TEST_CASE("utf8: well-formed text of every length is valid", "[utf8]") {
  CHECK(is_valid(""));
  CHECK(is_valid("acme-corp"));
  CHECK(is_valid("caf\xc3\xa9"));             // U+00E9, 2 bytes
  CHECK(is_valid("\xe2\x82\xac"));            // U+20AC, 3 bytes
  CHECK(is_valid("\xf0\x9f\x98\x80"));        // U+1F600, 4 bytes
  CHECK(is_valid("\xf4\x8f\xbf\xbf"));        // U+10FFFF, the last code point
}

TEST_CASE("utf8: the offset of the first bad byte is reported", "[utf8]") {
  CHECK(first_invalid_byte("ab\xd2m") == 2);                     // lead byte without continuation
  CHECK(first_invalid_byte("\xff") == 0);                         // never valid
  CHECK(first_invalid_byte("x\xc0\xaf") == 1);                    // overlong '/'
  CHECK(first_invalid_byte("\xe0\x80\xaf") == 0);                 // overlong, 3 bytes
  CHECK(first_invalid_byte("\xed\xa0\x80") == 0);                 // surrogate U+D800
  CHECK(first_invalid_byte("\xf4\x90\x80\x80") == 0);             // past U+10FFFF
  CHECK(first_invalid_byte("ok\xe2\x82") == 2);                   // truncated at the end
  CHECK(first_invalid_byte(std::string("a\0b", 3)) == 1);         // NUL is refused too
  CHECK(first_invalid_byte("\x80") == 0);                         // a lone continuation byte
}
