#include "api/webhook.hpp"

#include <algorithm>

#include "reconciler/util/crypto.hpp"

namespace plumb::api {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view short_ref(std::string_view ref) {
  constexpr std::string_view k_heads = "refs/heads/";
  if (ref.substr(0, k_heads.size()) == k_heads) return ref.substr(k_heads.size());
  return ref;
}

}  // namespace

WebhookProvider webhook_provider(const WebhookHeaders& headers) {
  if (!headers.github_signature.empty()) return WebhookProvider::github;
  if (!headers.gitea_signature.empty()) return WebhookProvider::gitea;
  if (!headers.gitlab_token.empty()) return WebhookProvider::gitlab;
  return WebhookProvider::none;
}

bool verify_webhook(const WebhookHeaders& headers, std::string_view secret, std::string_view raw_body) {
  if (secret.empty()) return false;
  switch (webhook_provider(headers)) {
    case WebhookProvider::github: {
      constexpr std::string_view k_prefix = "sha256=";
      const std::string given = lower(headers.github_signature);
      if (given.rfind(k_prefix, 0) != 0) return false;
      return crypto::constant_time_equal(given.substr(k_prefix.size()), crypto::hmac_sha256_hex(secret, raw_body));
    }
    case WebhookProvider::gitea:
      return crypto::constant_time_equal(lower(headers.gitea_signature), crypto::hmac_sha256_hex(secret, raw_body));
    case WebhookProvider::gitlab:
      // Compare digests so the time taken does not even depend on the secret's length.
      return crypto::constant_time_equal(crypto::sha256_raw(headers.gitlab_token), crypto::sha256_raw(secret));
    case WebhookProvider::none:
      break;
  }
  return false;
}

bool ref_matches(std::string_view pushed, std::string_view tracked) {
  if (pushed.empty() || tracked.empty()) return false;
  return short_ref(pushed) == short_ref(tracked);
}

}  // namespace plumb::api
