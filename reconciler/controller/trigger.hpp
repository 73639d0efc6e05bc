#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace plumb::controller {

// Why a pass runs. Events only make a pass come sooner; every pass computes the full plan
// (level-triggered). Names are stored in sync_runs.trigger and are part of the API.
enum class Trigger { startup, interval, webhook, api, notify };

std::string_view trigger_name(Trigger trigger);  // "startup", "interval", "webhook", "api", "notify"
std::optional<Trigger> parse_trigger(std::string_view name);

// A request for a pass: identity only, never payload (a webhook says "look again", it never
// says what changed). `correlation_id` ties logs, the sync run and the HTTP request together.
struct Request {
  Trigger reason = Trigger::api;
  std::string correlation_id;
};

}  // namespace plumb::controller
