// Fuzzes pagination cursor decoding (a query parameter any client controls): garbage never
// crashes and never decodes; a cursor minted for one scope and tenant decodes only there.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/cursor.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const plumb::api::CursorCodec codec("fuzz-server-key");
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Arbitrary text as a cursor. Only text minted with the server key decodes (the seed corpus
  // holds such cursors, so mutations of them are tried), and then only for its scope and tenant.
  if (codec.decode(text, "tenants", "*")) {
    if (codec.decode(text, "tenants", "acme") || codec.decode(text, "roles", "*")) std::abort();
  }

  // Arbitrary text as a sort key (split on NUL into parts): the round trip is exact and the
  // cursor is bound to its scope and tenant.
  std::vector<std::string> key;
  std::string part;
  for (char c : text) {
    if (c == '\0') {
      key.push_back(part);
      part.clear();
    } else {
      part.push_back(c);
    }
  }
  key.push_back(part);
  const std::string cursor = codec.encode("audit", "acme", key);
  const auto decoded = codec.decode(cursor, "audit", "acme");
  // Cursors past the decoder's size cap are refused by design; below it the round trip must hold
  // for keys that are valid UTF-8 (sort keys come from PostgreSQL text; others are replaced).
  bool utf8 = true;
  try {
    (void)nlohmann::json(key).dump();
  } catch (const nlohmann::json::exception&) {
    utf8 = false;
  }
  if (utf8 && cursor.size() <= 2048 && (!decoded || *decoded != key)) std::abort();
  if (codec.decode(cursor, "audit", "globex") || codec.decode(cursor, "drift", "acme")) std::abort();
  return 0;
}
