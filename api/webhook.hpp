#pragma once
#include <string>
#include <string_view>

namespace plumb::api {

// Which forge signed a webhook delivery, judged from its headers.
enum class WebhookProvider { none, github, gitea, gitlab };

// Headers relevant to webhook authentication (empty when absent).
struct WebhookHeaders {
  std::string github_signature;  // X-Hub-Signature-256: "sha256=<hex>"
  std::string gitea_signature;   // X-Gitea-Signature: "<hex>"
  std::string gitlab_token;      // X-Gitlab-Token: the shared secret itself
};

// The provider whose header is present (GitHub first), or none.
WebhookProvider webhook_provider(const WebhookHeaders& headers);

// Checks the delivery's signature/token against `secret` over the raw, unparsed body, comparing
// in constant time. False for a missing or malformed header, or an empty secret.
bool verify_webhook(const WebhookHeaders& headers, std::string_view secret, std::string_view raw_body);

// True if the pushed ref names the tracked ref ("refs/heads/main" matches "main" too).
bool ref_matches(std::string_view pushed, std::string_view tracked);

}  // namespace plumb::api
