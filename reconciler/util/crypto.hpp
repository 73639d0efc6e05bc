#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace plumb::crypto {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Raw 32-byte SHA-256 of `data`.
std::string sha256_raw(std::string_view data);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmac_sha256_raw(std::string_view key, std::string_view data);

// `n` cryptographically random bytes (OpenSSL RAND_bytes); aborts if the CSPRNG fails,
// because continuing without randomness would mint guessable secrets.
std::string random_bytes(std::size_t n);

// `n` uniformly random characters of [0-9A-Za-z] (rejection sampling, no modulo bias).
std::string random_base62(std::size_t n);

// Constant-time equality: the time taken depends only on the lengths, never on the content.
bool constant_time_equal(std::string_view a, std::string_view b);

// Lower-case hex of arbitrary bytes, and back (returns false on malformed input).
std::string to_hex(std::string_view bytes);
bool from_hex(std::string_view hex, std::string& out);

// AES-256-GCM with a 32-byte key (derived by the caller). Output is nonce || ciphertext || tag.
// `decrypt` returns false if the key is wrong or the data was tampered with.
std::string encrypt(std::string_view key32, std::string_view plaintext);
bool decrypt(std::string_view key32, std::string_view sealed, std::string& plaintext);

// Base64 (standard alphabet, padded) and base64url (no padding), and their inverses.
std::string base64url_encode(std::string_view bytes);
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace plumb::crypto
