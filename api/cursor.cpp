#include "api/cursor.hpp"

#include <nlohmann/json.hpp>

#include "api/reply.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::api {
namespace {
constexpr std::size_t k_mac_bytes = 16;  // 128-bit truncated HMAC: unforgeable, short URLs
constexpr std::size_t k_max_cursor = 2048;
}  // namespace

CursorCodec::CursorCodec(std::string key) : m_key(std::move(key)) {}

std::string CursorCodec::encode(const std::string& scope, const std::string& tenant,
                                const std::vector<std::string>& last_key) const {
  // The scope and tenant are MAC'd but not stored: the decoder supplies its own, so a cursor
  // moved to another route or tenant fails the MAC check.
  const std::string payload = safe_dump(nlohmann::json(last_key));
  const std::string mac = crypto::hmac_sha256_raw(m_key, scope + '\n' + tenant + '\n' + payload).substr(0, k_mac_bytes);
  return crypto::base64url_encode(payload) + "." + crypto::base64url_encode(mac);
}

std::optional<std::vector<std::string>> CursorCodec::decode(const std::string& cursor, const std::string& scope,
                                                            const std::string& tenant) const {
  if (cursor.empty() || cursor.size() > k_max_cursor) return std::nullopt;
  const auto dot = cursor.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string payload;
  std::string mac;
  if (!crypto::base64url_decode(cursor.substr(0, dot), payload)) return std::nullopt;
  if (!crypto::base64url_decode(cursor.substr(dot + 1), mac)) return std::nullopt;
  const std::string expected =
      crypto::hmac_sha256_raw(m_key, scope + '\n' + tenant + '\n' + payload).substr(0, k_mac_bytes);
  if (!crypto::constant_time_equal(mac, expected)) return std::nullopt;
  const auto parsed = nlohmann::json::parse(payload, nullptr, false);
  if (!parsed.is_array()) return std::nullopt;
  std::vector<std::string> key;
  for (const auto& part : parsed) {
    if (!part.is_string()) return std::nullopt;
    key.push_back(part.get<std::string>());
  }
  return key;
}

}  // namespace plumb::api
