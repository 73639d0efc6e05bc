#include "api/controller_bridge.hpp"

#include <ctime>

namespace plumb::api {
namespace {

std::string rfc3339(const std::optional<controller::SystemTime>& at) {
  if (!at) return {};
  const std::time_t secs = std::chrono::system_clock::to_time_t(*at);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

ControllerHooks make_controller_hooks(controller::Controller& ctl) {
  ControllerHooks hooks;
  hooks.trigger = [&ctl](const TriggerRequest& request) -> Result<std::string> {
    controller::Request pass;
    pass.reason = request.source == "webhook" ? controller::Trigger::webhook : controller::Trigger::api;
    pass.correlation_id = request.correlation_id;
    return ctl.trigger(pass);
  };
  hooks.health = [&ctl] {
    const controller::Health h = ctl.health();
    Health out;
    out.live = h.live;
    out.ready = h.ready;
    out.leader = h.leader;
    out.last_pass_status = h.last_pass_status;
    out.last_pass_at = rfc3339(h.last_pass_at);
    out.detail = h.last_error;
    return out;
  };
  return hooks;
}

}  // namespace plumb::api
