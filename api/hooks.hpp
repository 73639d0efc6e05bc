#pragma once
#include <functional>
#include <string>

#include "reconciler/util/error.hpp"

namespace plumb::api {

// Why a pass is requested through the API. A request carries identity, never payload.
struct TriggerRequest {
  std::string source = "api";  // "api" (POST /v1/syncs) or "webhook" (POST /v1/webhooks/git)
  std::string reason;          // human note: "api", "api: deploy", "webhook:github", ...
  std::string requested_by;    // "admin" or "token:<tenant>/<name>"
  std::string correlation_id;  // echoed into logs and audit rows of the pass
  std::string commit;          // webhook's pushed commit id when known (informational)
};

// What the controller says about itself for /healthz, /readyz and /v1/status.
struct Health {
  bool live = true;        // the loop thread is alive
  bool ready = true;       // caught up enough to serve (e.g. first pass done, leader or follower)
  bool leader = false;
  std::string last_pass_status;  // "succeeded", "failed", "" before the first pass
  std::string last_pass_at;      // RFC 3339 UTC or ""
  std::string detail;            // human-readable note
};

// The controller's side of the API, wired by the CLI so plumb_api never links plumb_controller.
// Any member may be empty: trigger -> 503 CONTROLLER_UNAVAILABLE; health -> assumed live/ready.
struct ControllerHooks {
  // Ask for a pass soon; returns an id for the request (e.g. the queued sync's id) or an Error.
  std::function<Result<std::string>(const TriggerRequest&)> trigger;
  // Current health; called on every /healthz, /readyz, /v1/status request: keep it cheap.
  std::function<Health()> health;
};

}  // namespace plumb::api
