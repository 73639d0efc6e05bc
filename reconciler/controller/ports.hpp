#pragma once
// The controller's seams: everything it needs from the outside world, injected at construction
// so the loop itself holds no database or Git code. Production adapters: store_port.cpp (over
// plumb::store), pg_leader_lock.cpp and pg_change_feed.cpp (dedicated PostgreSQL sessions).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reconciler/controller/trigger.hpp"
#include "reconciler/model/state.hpp"
#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::controller {

using SystemTime = std::chrono::system_clock::time_point;

// Proof of leadership handed to apply: the backend pid of the session holding the advisory
// lock `key`. Apply re-checks inside its transaction that this session still holds it.
struct Fence {
  std::int64_t key = 0;
  int holder_pid = 0;
};

// One pass as written to sync_runs.
struct RunRecord {
  std::string pass_id;
  Trigger trigger = Trigger::interval;
  std::string correlation_id;
  std::string commit;        // "" if the fetch failed before a commit was known
  std::string actor;         // the commit's author, for audit rows
  std::string status;        // "succeeded" | "no_changes" | "drift" | "failed"
  std::string error;         // code: message, for failed passes
  std::optional<plan::Plan> plan;
  SystemTime started_at{};
  SystemTime finished_at{};
  std::int64_t fetch_ms = 0, load_ms = 0, plan_ms = 0, apply_ms = 0;
};

// The database side of a pass. Every call may fail with a transient error (database down),
// after which the controller reconnects through its factory.
class StatePort {
 public:
  virtual ~StatePort() = default;
  virtual Result<model::ActualState> read_actual() = 0;
  // Only the rows with these keys (those that exist), with the revision of the snapshot.
  virtual Result<model::ActualState> read_resources(const std::vector<model::ResourceKey>& keys) = 0;
  // The change counter alone: cheap, tells whether anything changed since the last read.
  virtual Result<std::int64_t> current_revision() = 0;
  // One transaction: refuses a stale plan (conflict) and a lost leadership (conflict, via fence).
  // `run` identifies the pass (its id becomes the sync run's id, with trigger and correlation).
  // Returns the change counter the apply committed (the revision of the state it left).
  virtual Result<std::int64_t> apply(const plan::Plan& plan, const Fence& fence, const RunRecord& run) = 0;
  virtual Result<void> record_drift(const plan::DriftReport& drift) = 0;
  virtual Result<void> record_run(const RunRecord& run) = 0;
  // The commit of the latest pass that left the database in sync with Git ("" if none).
  virtual Result<std::string> last_synced_commit() = 0;
  // After an apply failed with DB_IN_DOUBT (on a fresh port): the revision pass `run` recorded
  // if its apply committed after all, nullopt if it did not (store::Store::committed_revision).
  virtual Result<std::optional<std::int64_t>> committed_revision(const RunRecord& run) {
    (void)run;
    return std::nullopt;
  }
};

// Leader election on a dedicated session: pg_try_advisory_lock(key), held until the session ends.
class LeaderLock {
 public:
  virtual ~LeaderLock() = default;
  virtual Result<bool> try_acquire() = 0;   // true if this session now holds the lock
  virtual Result<bool> still_held() = 0;    // false or an error: leadership is lost
  virtual void release() = 0;               // best effort, never throws
  virtual Fence fence() const = 0;
  // From a follower: asks the leader for a pass (NOTIFY plumb_trigger with the request).
  virtual Result<void> forward(const Request& request, const std::string& pass_id) = 0;
};

// What a change feed heard: writes to managed tables, and pass requests forwarded by followers.
struct FeedEvents {
  bool changed = false;
  // The rows an out-of-band write named (old and new key of a rename). `unkeyed` when some
  // change named none: an apply, a TRUNCATE, a payload that does not parse; then only a full
  // read tells what moved.
  std::vector<model::ResourceKey> keys;
  bool unkeyed = false;
  // The highest revision an apply's note announced (0: none). An apply at or below the revision
  // the controller last read in full is already in its drift, so it needs no full read.
  std::int64_t applied_revision = 0;
  std::vector<std::pair<Request, std::string>> requests;  // request and its pass id
};

// LISTEN plumb_changes on a dedicated session.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  // Blocks up to `timeout` for notifications on plumb_changes and plumb_trigger.
  virtual Result<FeedEvents> wait(std::chrono::milliseconds timeout) = 0;
};

}  // namespace plumb::controller
