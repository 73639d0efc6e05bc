#include "reconciler/util/token_format.hpp"

#include <array>
#include <cstdint>

#include "reconciler/util/crypto.hpp"

namespace plumb::token_format {
namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_base62(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

std::uint32_t crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string checksum(std::string_view random_part) {
  std::uint64_t value = crc32(random_part);
  std::string out(k_checksum_length, '0');
  for (std::size_t i = k_checksum_length; i-- > 0;) {
    out[i] = k_alphabet[value % 62];
    value /= 62;
  }
  return out;
}

}  // namespace

std::string generate() {
  std::string random_part = crypto::random_base62(k_random_length);
  return std::string(k_prefix) + random_part + checksum(random_part);
}

bool is_valid(std::string_view text) {
  if (text.size() != k_total_length || text.substr(0, k_prefix.size()) != k_prefix) return false;
  std::string_view body = text.substr(k_prefix.size());
  for (char c : body) {
    if (!is_base62(c)) return false;
  }
  return checksum(body.substr(0, k_random_length)) == body.substr(k_random_length);
}

bool contains_token_shape(std::string_view text) {
  for (std::size_t pos = text.find(k_prefix); pos != std::string_view::npos; pos = text.find(k_prefix, pos + 1)) {
    std::size_t run = 0;
    for (std::size_t i = pos + k_prefix.size(); i < text.size() && is_base62(text[i]); ++i) ++run;
    if (run >= k_random_length + k_checksum_length) return true;
  }
  return false;
}

std::string mask(std::string_view secret) {
  if (secret.size() < k_prefix.size() + 6) return std::string(k_prefix) + "…";
  return std::string(secret.substr(0, k_prefix.size() + 2)) + "…" + std::string(secret.substr(secret.size() - 4));
}

}  // namespace plumb::token_format
