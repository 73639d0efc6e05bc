#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "reconciler/util/error.hpp"

namespace plumb::api {

// Who asks to reveal which token; the store writes the audit row with these.
struct RevealRequest {
  std::string tenant;
  std::string name;
  std::string actor;           // "admin" or "token:<tenant>/<name>"
  std::string correlation_id;
};

// The audit chain's verdict for GET /v1/audit/verify.
struct AuditVerdict {
  bool intact = true;
  std::int64_t checked = 0;                 // rows walked
  std::optional<std::int64_t> first_bad_id; // the first row whose hash does not match
  std::string message;
};

// The store's write-side operations the API needs, wired by the CLI (plumb run / plumb dev) to
// plumb::store, so plumb_api never links the store library. Empty members answer 503.
struct StoreHooks {
  // The one-time plaintext of a freshly minted or rotated token, audited by the store.
  // Errors: code containing NOT_FOUND -> 404; kind conflict (already revealed) -> 409;
  // transient -> 503; anything else -> 500.
  std::function<Result<std::string>(const RevealRequest&)> reveal_token;
  // Walks the audit hash chain.
  std::function<Result<AuditVerdict>()> verify_audit;
};

}  // namespace plumb::api
