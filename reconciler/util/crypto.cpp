#include "reconciler/util/crypto.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace plumb::crypto {
namespace {

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "plumb: fatal: %s failed (OpenSSL)\n", what);
  std::abort();
}

}  // namespace

std::string sha256_raw(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(bytes_of(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256_raw(data)); }

std::string hmac_sha256_raw(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr) {
    die("HMAC");
  }
  out.resize(len);
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return to_hex(hmac_sha256_raw(key, data));
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    die("RAND_bytes");
  }
  return out;
}

std::string random_base62(std::size_t n) {
  static constexpr std::string_view k_alphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(n);
  while (out.size() < n) {
    for (unsigned char c : random_bytes(n)) {
      if (c >= 248) continue;  // 248 = 4 * 62: reject to keep the distribution uniform
      out.push_back(k_alphabet[c % 62]);
      if (out.size() == n) break;
    }
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(k_digits[c >> 4]);
    out.push_back(k_digits[c & 0xf]);
  }
  return out;
}

bool from_hex(std::string_view hex, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  out.clear();
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = value(hex[i]);
    int lo = value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

namespace {
constexpr std::size_t k_nonce = 12;
constexpr std::size_t k_tag = 16;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
}  // namespace

std::string encrypt(std::string_view key32, std::string_view plaintext) {
  if (key32.size() != 32) die("encrypt: key must be 32 bytes");
  std::string nonce = random_bytes(k_nonce);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out = nonce;
  out.resize(k_nonce + plaintext.size() + k_tag);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + k_nonce;
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key32), bytes_of(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, bytes_of(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, k_tag, dst + plaintext.size()) != 1) {
    die("AES-256-GCM encrypt");
  }
  return out;
}

bool decrypt(std::string_view key32, std::string_view sealed, std::string& plaintext) {
  if (key32.size() != 32 || sealed.size() < k_nonce + k_tag) return false;
  std::string_view nonce = sealed.substr(0, k_nonce);
  std::string_view body = sealed.substr(k_nonce, sealed.size() - k_nonce - k_tag);
  std::string tag(sealed.substr(sealed.size() - k_tag));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  plaintext.assign(body.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(plaintext.data());
  int len = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key32), bytes_of(nonce)) == 1 &&
            EVP_DecryptUpdate(ctx.get(), dst, &len, bytes_of(body), static_cast<int>(body.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, k_tag, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) == 1;
  if (!ok) plaintext.clear();
  return ok;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char k_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += {k_alpha[(v >> 18) & 63], k_alpha[(v >> 12) & 63], k_alpha[(v >> 6) & 63], k_alpha[v & 63]};
  }
  if (bytes.size() - i == 1) {
    unsigned v = at(i) << 16;
    out += {k_alpha[(v >> 18) & 63], k_alpha[(v >> 12) & 63]};
  } else if (bytes.size() - i == 2) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8);
    out += {k_alpha[(v >> 18) & 63], k_alpha[(v >> 12) & 63], k_alpha[(v >> 6) & 63]};
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return false;
  out.clear();
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Reject non-canonical encodings (leftover bits must be zero) so one cursor has one spelling.
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace plumb::crypto
