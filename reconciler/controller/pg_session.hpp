#pragma once
// Adapters over dedicated PostgreSQL sessions (libpqxx): the advisory-lock leader election and
// the LISTEN plumb_changes feed. libpqxx exceptions are caught here and become Errors; nothing
// of libpqxx leaks through these factories' interfaces.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reconciler/controller/ports.hpp"

namespace plumb::controller {

// The lock key plumb's controllers elect a leader with (one per shard, when sharded).
inline constexpr std::int64_t k_default_leader_key = 0x706c756d62;  // "plumb"

// Opens a session for leader election on `key`. Transient DB_UNAVAILABLE if it cannot connect.
Result<std::unique_ptr<LeaderLock>> connect_leader_lock(const std::string& database_url, std::int64_t key);

inline constexpr const char* k_changes_channel = "plumb_changes";  // the store's triggers NOTIFY here
inline constexpr const char* k_trigger_channel = "plumb_trigger";  // followers forward pass requests here

// Opens a session listening on both channels. Transient DB_UNAVAILABLE if it cannot connect.
Result<std::unique_ptr<ChangeFeed>> connect_change_feed(const std::string& database_url);

// The NOTIFY payload of a forwarded request, and back ("reason|correlation|pass id").
std::string encode_forwarded(const Request& request, const std::string& pass_id);
std::optional<std::pair<Request, std::string>> decode_forwarded(std::string_view payload);

// The keys a plumb_changes payload from the out-of-band trigger names (its row; a rename also
// its previous key). nullopt for anything else (an apply's note: see decode_apply; a TRUNCATE,
// garbage: the caller then re-reads everything).
std::optional<std::vector<model::ResourceKey>> decode_change(std::string_view payload);

// The revision an apply's note announces ({"op":"apply","revision":N,...}), or nullopt for any
// other payload.
std::optional<std::int64_t> decode_apply(std::string_view payload);

// The SQL boolean expression apply's transaction checks for fencing (store::ApplyOptions::
// fence_sql): true while the session with pid `fence.holder_pid` still holds advisory lock
// `fence.key`. Values are inlined integers, so the text is safe to splice.
std::string fence_sql(const Fence& fence);

}  // namespace plumb::controller
