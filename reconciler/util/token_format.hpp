#pragma once
#include <string>
#include <string_view>

namespace plumb::token_format {

// plumb API token secrets look like `plb_` + 32 random base62 characters + a 6-character
// base62 CRC-32 checksum of those 32, so secret scanners can recognise them with few false hits.
inline constexpr std::string_view k_prefix = "plb_";
inline constexpr std::size_t k_random_length = 32;
inline constexpr std::size_t k_checksum_length = 6;
inline constexpr std::size_t k_total_length = 4 + 32 + 6;

// A fresh secret from the CSPRNG.
std::string generate();

// True if `text` has the token shape and a correct checksum.
bool is_valid(std::string_view text);

// True if `text` contains anything token-shaped (prefix and 38 base62 chars), checksum or not:
// used to refuse secrets that were pasted into Git.
bool contains_token_shape(std::string_view text);

// A display form that never reveals the secret: `plb_ab…wxyz` style (prefix, 2 first, 4 last).
std::string mask(std::string_view secret);

}  // namespace plumb::token_format
