// Fuzzes webhook deliveries (POST /v1/webhooks/git is public: anyone can send one). The input is
// split into the three signature headers and the raw body. Unsigned or mis-signed bytes are
// never accepted; a correctly signed body goes on to the payload parsing the route does
// (api/routes_write.cpp post_webhook: JSON object, "ref" and "after" strings).
#include <cstddef>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "api/webhook.hpp"
#include "reconciler/util/crypto.hpp"

namespace {

constexpr std::string_view k_secret = "fuzz-webhook-secret";

// Splits off the text before the next '\n' (a header value), advancing `rest`.
std::string take_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const std::string line(rest.substr(0, nl));
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return line;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The route's parsing of an authenticated body, step for step.
void parse_payload(std::string_view body, std::string_view tracked) {
  const nlohmann::json event = nlohmann::json::parse(body, nullptr, false);
  if (event.is_discarded() || !event.is_object()) return;
  const std::string ref = event.contains("ref") && event["ref"].is_string() ? event["ref"].get<std::string>() : "";
  (void)plumb::api::ref_matches(ref, tracked);
  const std::string after = event.contains("after") && event["after"].is_string() ? event["after"].get<std::string>() : "";
  (void)after;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  plumb::api::WebhookHeaders headers;
  headers.github_signature = take_line(rest);
  headers.gitea_signature = take_line(rest);
  headers.gitlab_token = take_line(rest);
  const std::string_view body = rest;

  // Forged headers: accepted only if they hold the real MAC or secret for the provider whose
  // header wins (GitHub, then Gitea, then GitLab); the fuzzer cannot guess those.
  const std::string mac = plumb::crypto::hmac_sha256_hex(k_secret, body);
  if (plumb::api::verify_webhook(headers, k_secret, body)) {
    bool real = false;
    switch (plumb::api::webhook_provider(headers)) {
      case plumb::api::WebhookProvider::github: real = lower(headers.github_signature) == "sha256=" + mac; break;
      case plumb::api::WebhookProvider::gitea: real = lower(headers.gitea_signature) == mac; break;
      case plumb::api::WebhookProvider::gitlab: real = headers.gitlab_token == k_secret; break;
      case plumb::api::WebhookProvider::none: break;
    }
    if (!real) std::abort();
  }
  if (plumb::api::verify_webhook(headers, "", body)) std::abort();  // no secret: nothing is accepted

  // The same body signed correctly by each forge is accepted, then parsed.
  if (!plumb::api::verify_webhook({"sha256=" + mac, "", ""}, k_secret, body)) std::abort();
  if (!plumb::api::verify_webhook({"", mac, ""}, k_secret, body)) std::abort();
  if (!plumb::api::verify_webhook({"", "", std::string(k_secret)}, k_secret, body)) std::abort();
  parse_payload(body, "refs/heads/main");
  return 0;
}
