#include "reconciler/controller/trigger.hpp"

namespace plumb::controller {

std::string_view trigger_name(Trigger trigger) {
  switch (trigger) {
    case Trigger::startup: return "startup";
    case Trigger::interval: return "interval";
    case Trigger::webhook: return "webhook";
    case Trigger::api: return "api";
    case Trigger::notify: return "notify";
  }
  return "api";
}

std::optional<Trigger> parse_trigger(std::string_view name) {
  for (auto t : {Trigger::startup, Trigger::interval, Trigger::webhook, Trigger::api, Trigger::notify}) {
    if (trigger_name(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace plumb::controller
