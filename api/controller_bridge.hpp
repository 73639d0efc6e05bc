#pragma once
#include "api/hooks.hpp"
#include "reconciler/controller/controller.hpp"

namespace plumb::api {

// ControllerHooks over a running controller::Controller, for `plumb run` / `plumb dev`:
// POST /v1/syncs and webhooks become controller.trigger({api|webhook, correlation id});
// /healthz, /readyz and /v1/status read controller.health(). `controller` must outlive the
// server. Library plumb_api_controller, so plumb_api itself never links the controller.
ControllerHooks make_controller_hooks(controller::Controller& controller);

}  // namespace plumb::api
