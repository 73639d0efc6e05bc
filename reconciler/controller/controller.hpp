#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "reconciler/controller/backoff.hpp"
#include "reconciler/controller/ports.hpp"
#include "reconciler/controller/trigger.hpp"
#include "reconciler/source/cached_loader.hpp"
#include "reconciler/source/source.hpp"

namespace plumb::controller {

struct ControllerOptions {
  Millis interval{60'000};        // between passes when nothing else asks
  double jitter = 0.1;            // +-10% of the interval
  Millis leader_poll{1'000};      // followers try the lock this often; the leader checks its session
  Millis drift_poll{10'000};      // safety net for missed NOTIFYs: compare the change counter
  BackoffPolicy backoff;          // after failed passes
  bool self_heal = false;         // revert out-of-band edits (otherwise only report them)
  plan::PlanPolicy policy;
  load::LoadLimits limits;
};

// The injected seams. Factories are called again after a failure (reconnect); they may fail.
struct Seams {
  std::unique_ptr<source::Source> source;
  std::function<Result<std::unique_ptr<StatePort>>()> connect_state;
  std::function<Result<std::unique_ptr<LeaderLock>>()> connect_lock;
  std::function<Result<std::unique_ptr<ChangeFeed>>()> connect_feed;  // may be empty: no NOTIFY
  std::function<SystemTime()> now = [] { return std::chrono::system_clock::now(); };
  std::function<double()> random;  // [0,1) for jitter; default: a seeded PRNG
  // Told about every finished pass after it is recorded (metrics); may be empty. Runs on the
  // controller thread: keep it short and never throw.
  std::function<void(const RunRecord&)> on_pass;
};

// What the controller says about itself (/healthz, /readyz, /v1/status).
struct Health {
  bool live = false;        // the loop thread runs
  bool ready = false;       // database reachable, and (leader only) one revision loaded successfully;
                            // followers are ready as soon as the database answers: they serve reads
  bool leader = false;
  bool database = false;    // the leader-election session answered its latest check
  bool loaded = false;      // a revision was loaded and validated at least once
  std::string last_pass_status;  // RunRecord::status of the latest pass, "" before the first
  std::optional<SystemTime> last_pass_at;
  std::string last_commit;       // commit of the latest pass
  std::string last_good_commit;  // the revision whose desired state is in force
  std::string last_error;
  int consecutive_failures = 0;
};

// The reconcile loop (level-triggered): a pass is fetch -> load (parse cache) -> read actual ->
// plan -> decide (see decision.hpp) -> apply in one transaction -> drift, recorded in sync_runs
// whichever way it ends. Passes run on one thread; only the replica holding the advisory lock
// runs them. Failures keep the last good desired state and back off exponentially.
class Controller {
 public:
  Controller(ControllerOptions options, Seams seams);
  ~Controller();  // stop()s
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Starts the loop and the NOTIFY listener threads; the first pass (trigger startup) comes at
  // once if this replica becomes leader.
  void start();

  // Asks for a pass soon. Requests arriving before the pass starts coalesce into one; all of
  // them get the same pass id. A follower forwards the request to the leader (NOTIFY
  // plumb_trigger) under the same id. Fails STOPPED after stop().
  Result<std::string> trigger(const Request& request);

  // Finishes or aborts the pass in progress (a Git transfer is cancelled, an apply transaction
  // either commits or rolls back), releases the lock and joins the threads. Idempotent.
  void stop();

  Health health() const;

  // Blocks until a pass has finished after this call, or `timeout`; for tests and `plumb dev`.
  bool wait_for_pass(std::chrono::milliseconds timeout);

  // How many times the recorded drift may have changed so far (a pass finished, or drift was
  // recomputed between passes after an out-of-band write).
  std::uint64_t drift_changes() const;
  // Blocks until drift_changes() exceeds `seen` (at once if it already does), then sets `seen` to
  // it and returns true; false after `timeout`. A caller looping with the same `seen` misses no
  // change, even one made while it was busy; the API drops its cached answers on each.
  bool wait_for_drift_change(std::uint64_t& seen, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace plumb::controller
