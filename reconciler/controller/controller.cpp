#include "reconciler/controller/controller.hpp"

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include <spdlog/spdlog.h>

#include "reconciler/controller/decision.hpp"
#include "reconciler/controller/pass_recorder.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::controller {

using Steady = std::chrono::steady_clock;

namespace {

std::string new_pass_id() {
  return crypto::to_hex(crypto::random_bytes(8));
}

// Notified rows beyond this between two drift checks make the next one read everything.
constexpr std::size_t k_max_notified_keys = 1024;

// How long the periodic drift check waits for the NOTIFY of a write it sees in the change
// counter before it reads every row instead.
constexpr Millis k_notify_grace{250};

std::int64_t ms_since(Steady::time_point start) {
  return std::chrono::duration_cast<Millis>(Steady::now() - start).count();
}

// The first error diagnostic, as one line for the sync run and the log.
std::string first_error(const model::Diagnostics& diagnostics) {
  for (const auto& d : diagnostics.items()) {
    if (d.severity == model::Severity::error) {
      return d.location.str() + ": " + d.code + ": " + d.message;
    }
  }
  return "";
}

}  // namespace

struct Controller::Impl {
  Impl(ControllerOptions o, Seams s) : options(std::move(o)), seams(std::move(s)), loader(options.limits) {
    if (!seams.random) {
      auto prng = std::make_shared<std::mt19937_64>(std::random_device{}());
      seams.random = [prng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*prng); };
    }
  }

  ControllerOptions options;
  Seams seams;
  source::CachedLoader loader;

  // Loop-thread state: touched only by the loop thread.
  std::unique_ptr<StatePort> state;
  std::unique_ptr<LeaderLock> lock;
  bool is_leader = false;
  bool first_pass = true;
  // The snapshot `desired` came from, held weakly: the source keeps it, and while nobody else
  // holds it the next commit's read moves its unchanged files out instead of copying them.
  std::weak_ptr<const source::Snapshot> loaded_snapshot;
  struct Revision {
    std::string commit, author;
  };
  std::optional<Revision> loaded_revision;  // of loaded_snapshot, for passes that do not fetch
  std::shared_ptr<const model::DesiredState> desired;       // last good desired state (shared with loader)
  std::string desired_revision;
  std::string last_synced;
  std::int64_t seen_revision = -1;  // change counter of our latest full read of the database
  // The database's rows as of `known_actual->revision`, kept between passes: a full read, then
  // patched with the rows each of this replica's applies changed (read back by key in a snapshot
  // that must show exactly the revision the apply committed). A pass uses them while the change
  // counter still reads that revision; an out-of-band write, another replica's apply, or any
  // doubt sends the next pass back to a full read. At 100k resources the full read is seconds.
  std::optional<model::ActualState> known_actual;
  // What the last plan proved, so the next one need not diff every pair again: with `desired`
  // and `known_actual` (at `revision`), a resource and its live managed row are equal unless
  // their key is in `recheck` (the last plan's drift, then every key the loader or an apply says
  // changed since). Gone with known_actual, and whenever the loader cannot tell what changed.
  struct PlanMemo {
    std::int64_t revision = -1;
    std::vector<model::ResourceKey> recheck;
  };
  std::optional<PlanMemo> plan_memo;
  // How the latest pass planned, for its log line: "read" or "kept" rows; "all" pairs diffed or
  // the number of keys rechecked.
  std::string pass_rows, pass_diffed;
  // The drift last computed (by a pass or a full check) and the desired revision it was computed
  // against: a NOTIFY that names its rows updates just those keys of it. Reset whenever a change
  // may have gone unheard (feed reconnected, a notification dropped for a pass that failed).
  std::optional<plan::DriftReport> drift_base;
  std::string drift_base_desired;
  // The change counter of the latest snapshot recheck_keys read: every change up to it that
  // notified is in drift_base (notifications arrive in commit order), so the periodic check
  // need not read everything again for them.
  std::int64_t heard_revision = -1;
  std::vector<RunRecord> unrecorded;  // passes that ended while the database was unreachable
  // The latest pass that found nothing to do: its desired revision, the database's change
  // counter it read, and its (empty) plan. While both are unchanged the pure planner would say
  // the same again, so a pass reuses it without reading the whole state (DESIGN §3: the change
  // sequence tells in O(1) whether anything changed). Anything else clears it.
  std::optional<plan::Plan> in_sync_plan;
  std::string in_sync_desired;
  std::int64_t in_sync_revision = -1;
  Steady::time_point next_pass{}, next_leader_check{}, next_drift_poll{};

  // Shared state, under `mu`.
  mutable std::mutex mu;
  std::condition_variable cv;
  std::condition_variable pass_cv;
  bool started = false;
  bool stopping = false;
  std::optional<Request> pending;
  std::string pending_id;
  bool notified = false;
  // What the pending notifications named (see FeedEvents); `notified_unkeyed` starts true: until
  // a full read nothing heard so far can be trusted to be complete.
  std::vector<model::ResourceKey> notified_keys;
  bool notified_unkeyed = true;
  std::int64_t notified_applied_revision = 0;
  std::uint64_t passes_finished = 0;
  std::uint64_t drift_changes = 0;  // passes finished plus drift recomputed between passes
  Health health_state;

  std::stop_source stop_source;
  std::thread loop_thread;
  std::thread feed_thread;

  void loop();
  void feed_loop();
  bool wait_for_work();
  void tick_leadership();
  void become_leader();
  void forward(const Request& request, const std::string& id);
  void lose_leadership(const std::string& why);
  Result<void> ensure_state();
  void run_pass(const Request& request, const std::string& pass_id);
  void pass_body(PassRecorder& rec, const Request& request);
  Result<void> fetch_and_load(PassRecorder& rec, const Request& request);
  Result<bool> still_in_sync(PassRecorder& rec);
  Result<const model::ActualState*> current_actual();
  void forget_actual() {
    known_actual.reset();
    plan_memo.reset();
  }
  plan::PlanAndDrift plan_pass(const model::ActualState& actual);
  void patch_actual(const plan::Plan& plan, std::int64_t revision);
  void state_failed(PassRecorder& rec, const Error& error) {
    if (error.kind == ErrorKind::transient) state.reset();  // reconnect before the next use
    rec.fail(error);
  }
  bool committed_after_all(PassRecorder& rec, const Error& error);
  struct Heard {
    std::vector<model::ResourceKey> keys;
    bool unkeyed = true;
    std::int64_t applied_revision = 0;  // see FeedEvents
  };
  void handle_notify(const Heard& heard);
  void check_drift(const Heard& heard, bool periodic = false);
  bool notification_within(std::chrono::milliseconds grace);
  void recheck_keys(const std::vector<model::ResourceKey>& keys);
  void record_pass_drift(PassRecorder& rec, const plan::DriftReport& drift);
  void remember_full_drift(const plan::DriftReport& drift);
  void announce_drift_change();
  void finish(const RunRecord& record);
  void set_health(const std::function<void(Health&)>& edit) {
    std::lock_guard<std::mutex> g(mu);
    edit(health_state);
  }
};

// ---- threads -------------------------------------------------------------------------------

void Controller::Impl::loop() {
  set_health([](Health& h) { h.live = true; });
  const auto now0 = Steady::now();
  next_pass = now0;
  next_drift_poll = now0 + options.drift_poll;
  while (wait_for_work()) {
    tick_leadership();
    std::optional<Request> request;
    std::string id;
    bool notify = false;
    Heard heard;
    {
      std::lock_guard<std::mutex> g(mu);
      if (pending) {
        request = std::move(pending);
        id = std::move(pending_id);
        pending.reset();
      }
      notify = std::exchange(notified, false);
      if (notify) {
        heard.keys = std::exchange(notified_keys, {});
        heard.unkeyed = std::exchange(notified_unkeyed, false);
        heard.applied_revision = std::exchange(notified_applied_revision, 0);
      }
    }
    if (!is_leader) {
      if (request) forward(*request, id);
      continue;
    }
    const auto now = Steady::now();
    if (!request && now >= next_pass) {
      request = Request{first_pass ? Trigger::startup : Trigger::interval, {}};
    }
    if (request) {
      // The pass reads everything; if it fails before computing drift, what was heard is lost.
      if (notify) drift_base.reset();
      run_pass(*request, id.empty() ? new_pass_id() : id);
    } else if (notify) {
      handle_notify(heard);
    } else if (now >= next_drift_poll) {
      next_drift_poll = now + options.drift_poll;
      check_drift(Heard{}, /*periodic=*/true);
    }
  }
  if (lock) lock->release();
  lock.reset();
  state.reset();
  set_health([](Health& h) {
    h.live = false;
    h.leader = false;
  });
}

// Sleeps until the earliest deadline or an event; false when stopping.
bool Controller::Impl::wait_for_work() {
  // Followers only wake to poll the lock (and for requests to forward); a past drift or pass
  // deadline must not make them spin.
  auto deadline = next_leader_check;
  if (is_leader) deadline = std::min({deadline, next_pass, next_drift_poll});
  std::unique_lock<std::mutex> g(mu);
  cv.wait_until(g, deadline, [&] { return stopping || pending.has_value() || notified; });
  return !stopping;
}

void Controller::Impl::feed_loop() {
  if (!seams.connect_feed) return;
  std::unique_ptr<ChangeFeed> feed;
  while (true) {
    {
      std::lock_guard<std::mutex> g(mu);
      if (stopping) return;
    }
    if (!feed) {
      auto made = seams.connect_feed();
      if (!made) {
        spdlog::warn("controller: LISTEN plumb_changes unavailable, retrying: {}", made.error().message);
        std::unique_lock<std::mutex> g(mu);
        cv.wait_for(g, options.leader_poll, [&] { return stopping; });
        continue;
      }
      feed = std::move(*made);
      // What was written while nobody listened is unknown: look once at everything.
      std::lock_guard<std::mutex> g(mu);
      notified = true;
      notified_unkeyed = true;
      cv.notify_all();
    }
    auto got = feed->wait(Millis{250});
    if (!got) {
      spdlog::warn("controller: change feed lost: {}", got.error().message);
      feed.reset();
      continue;
    }
    std::lock_guard<std::mutex> g(mu);
    if (got->changed) notified = true;
    if (got->unkeyed) notified_unkeyed = true;
    notified_applied_revision = std::max(notified_applied_revision, got->applied_revision);
    notified_keys.insert(notified_keys.end(), got->keys.begin(), got->keys.end());
    if (notified_keys.size() > k_max_notified_keys) {  // a bulk write: one full read is cheaper
      notified_keys.clear();
      notified_unkeyed = true;
    }
    for (auto& [request, id] : got->requests) {
      if (pending) continue;  // coalesced
      pending = std::move(request);
      pending_id = std::move(id);
    }
    if (got->changed || !got->requests.empty()) cv.notify_all();
  }
}

// ---- leadership ----------------------------------------------------------------------------

void Controller::Impl::tick_leadership() {
  const auto now = Steady::now();
  if (now < next_leader_check) return;
  next_leader_check = now + options.leader_poll;
  if (!lock) {
    auto made = seams.connect_lock();
    if (!made) {
      set_health([](Health& h) { h.database = false; });
      lose_leadership("lock session unavailable: " + made.error().message);
      return;
    }
    lock = std::move(*made);
    set_health([](Health& h) { h.database = true; });
  }
  if (is_leader) {
    auto held = lock->still_held();
    if (!held || !*held) {
      if (!held) set_health([](Health& h) { h.database = false; });
      lose_leadership(held ? "advisory lock no longer held" : held.error().message);
      lock.reset();  // a dead session is dropped; the next tick connects a new one
    }
    return;
  }
  auto got = lock->try_acquire();
  if (!got) {
    spdlog::warn("controller: leader election failed: {}", got.error().message);
    set_health([](Health& h) { h.database = false; });
    lock.reset();
    return;
  }
  if (*got) become_leader();
}

// A follower cannot apply: it hands the request to whoever holds the lock.
void Controller::Impl::forward(const Request& request, const std::string& id) {
  if (!lock) {
    spdlog::warn("pass request {} dropped: no database session to reach the leader", id);
    return;
  }
  if (auto ok = lock->forward(request, id); !ok) {
    spdlog::warn("pass request {} could not be forwarded: {}", id, ok.error().message);
    return;
  }
  spdlog::info("pass request {} forwarded to the leader correlation_id={}", id, request.correlation_id);
}

void Controller::Impl::become_leader() {
  is_leader = true;
  set_health([](Health& h) { h.leader = true; });
  spdlog::info("controller: became leader (lock holder pid {})", lock->fence().holder_pid);
  // Another replica may have synced since we last looked: its record is the truth.
  if (ensure_state()) {
    if (auto synced = state->last_synced_commit()) last_synced = *synced;
  }
  seen_revision = -1;
  drift_base.reset();
  forget_actual();
  next_pass = Steady::now();
}

void Controller::Impl::lose_leadership(const std::string& why) {
  if (is_leader) spdlog::warn("controller: leadership lost: {}", why);
  is_leader = false;
  forget_actual();  // a follower plans nothing: not worth its memory
  set_health([](Health& h) { h.leader = false; });
}

Result<void> Controller::Impl::ensure_state() {
  if (state) return {};
  auto made = seams.connect_state();
  if (!made) return tl::unexpected(made.error());
  state = std::move(*made);
  return {};
}

// ---- passes --------------------------------------------------------------------------------

void Controller::Impl::run_pass(const Request& request, const std::string& pass_id) {
  first_pass = false;
  PassRecorder rec(pass_id, request, seams.now(), [this](const RunRecord& r) { finish(r); });
  spdlog::info("pass {} started trigger={} correlation_id={}", pass_id, trigger_name(request.reason),
               request.correlation_id);
  pass_body(rec, request);
}

void Controller::Impl::pass_body(PassRecorder& rec, const Request& request) {
  if (auto ok = ensure_state(); !ok) return rec.fail(ok.error());
  // With no rows kept and no in-sync plan to reuse, this pass reads every row: it does so on a
  // second thread while the loop thread fetches and loads (the state port is the reader's alone
  // until it is joined here). At 100k resources that is a first pass, or a new leader's, about
  // a second sooner.
  pass_rows.clear();
  std::future<Result<model::ActualState>> prefetch;
  if (!known_actual && !in_sync_plan) {
    prefetch = std::async(std::launch::async, [port = state.get()] { return port->read_actual(); });
  }
  auto loaded = fetch_and_load(rec, request);
  if (prefetch.valid()) {
    auto read = prefetch.get();
    if (read) {
      known_actual = std::move(*read);  // a full read at its revision, even if the load failed
      plan_memo.reset();
      pass_rows = "read";
    } else if (loaded) {
      return state_failed(rec, read.error());
    } else if (read.error().kind == ErrorKind::transient) {
      state.reset();
    }
  }
  if (!loaded) return rec.fail(loaded.error());
  rec.record().commit = desired->commit;

  auto start = Steady::now();
  auto unchanged = still_in_sync(rec);
  if (!unchanged) return state_failed(rec, unchanged.error());
  if (*unchanged) return;
  in_sync_plan.reset();
  auto read = current_actual();
  if (!read) return state_failed(rec, read.error());
  const model::ActualState& actual = **read;
  auto [plan, drift] = plan_pass(actual);
  Decision decision = decide(plan, desired_revision, last_synced, options.self_heal);
  rec.record().plan_ms = ms_since(start);
  rec.record().plan = plan;
  spdlog::info("pass {} commit={} plan +{} ~{} -{} decision={} ({}) rows={} diffed={}", rec.record().pass_id,
               desired->commit, plan.summary.create, plan.summary.update, plan.summary.remove,
               pass_action_name(decision.action), decision.reason, pass_rows, pass_diffed);

  switch (decision.action) {
    case PassAction::refuse:
      return rec.fail(Error{ErrorKind::terminal, "PLAN_REFUSED", first_error(plan.diagnostics)});
    case PassAction::nothing:
      rec.record().status = "no_changes";
      last_synced = desired_revision;
      in_sync_plan = plan;
      in_sync_desired = desired_revision;
      in_sync_revision = actual.revision;
      break;
    case PassAction::report_drift:
      rec.record().status = "drift";
      break;
    case PassAction::apply: {
      start = Steady::now();
      auto applied = state->apply(plan, lock->fence(), rec.record());
      if (!applied && !committed_after_all(rec, applied.error())) return state_failed(rec, applied.error());
      rec.record().apply_ms = ms_since(start);
      rec.record().status = "succeeded";
      last_synced = desired_revision;
      if (applied) {
        // The apply committed on the revision the plan read: the drift left is the drift before
        // minus what the plan changed, with no second read of every row.
        auto left = plan::drift_after_apply(std::move(drift), plan, *applied);
        patch_actual(plan, *applied);  // `actual` is not used after this
        return record_pass_drift(rec, left);
      }
      forget_actual();  // settled from an in-doubt commit: look again
      auto again = current_actual();
      if (!again) return;  // applied and recorded; drift comes with the next look
      return record_pass_drift(rec, plan::make_drift(*desired, **again));
    }
  }
  record_pass_drift(rec, drift);
}

// The plan and drift of this pass: only the pairs the memo cannot vouch for are diffed. The memo
// then holds this plan's drift: every other pair with a live managed row is equal.
plan::PlanAndDrift Controller::Impl::plan_pass(const model::ActualState& actual) {
  const bool memo = plan_memo && plan_memo->revision == actual.revision;
  pass_diffed = memo ? std::to_string(plan_memo->recheck.size()) + " key(s)" : "all";
  auto made = memo ? plan::make_plan_and_drift(*desired, actual, options.policy, std::move(plan_memo->recheck))
                   : plan::make_plan_and_drift(*desired, actual, options.policy);
  plan_memo = PlanMemo{actual.revision, {}};
  plan_memo->recheck.reserve(made.drift.items.size());
  for (const auto& item : made.drift.items) plan_memo->recheck.push_back(item.key);
  return made;
}

// The database's rows for this pass: the kept ones while the change counter has not moved since
// they were read, otherwise a full read (kept in their place).
Result<const model::ActualState*> Controller::Impl::current_actual() {
  if (known_actual) {
    auto revision = state->current_revision();
    if (!revision) return tl::unexpected(revision.error());
    if (*revision == known_actual->revision) {
      if (pass_rows.empty()) pass_rows = "kept";  // else "read": this pass's prefetch read them
      return &*known_actual;
    }
    forget_actual();  // stale: not held beside the full read that replaces it
  }
  pass_rows = "read";
  auto read = state->read_actual();
  if (!read) return tl::unexpected(read.error());
  known_actual = std::move(*read);
  plan_memo.reset();  // nothing is known of what changed since the last plan
  return &*known_actual;
}

// After this replica's apply committed `revision`: the kept rows with the plan's keys read back.
// Kept only if that read saw exactly `revision` (nobody wrote in between; the apply writes no
// row outside its plan) and the plan was small enough for reading by key to pay.
void Controller::Impl::patch_actual(const plan::Plan& plan, std::int64_t revision) {
  if (!known_actual) return;
  const std::size_t limit = std::max(k_max_notified_keys, known_actual->resources.size() / 10);
  if (plan.changes.size() > limit) {
    forget_actual();
    return;
  }
  std::vector<model::ResourceKey> keys;
  keys.reserve(plan.changes.size());
  for (const auto& change : plan.changes) keys.push_back(change.key);
  auto rows = state->read_resources(keys);
  if (!rows || rows->revision != revision) {
    if (!rows && rows.error().kind == ErrorKind::transient) state.reset();
    forget_actual();
    return;
  }
  if (plan_memo) {
    plan_memo->recheck.insert(plan_memo->recheck.end(), keys.begin(), keys.end());
    plan_memo->revision = rows->revision;
  }
  model::replace_rows(*known_actual, std::move(*rows), std::move(keys));
}

void Controller::Impl::record_pass_drift(PassRecorder& rec, const plan::DriftReport& drift) {
  remember_full_drift(drift);
  if (auto ok = state->record_drift(drift); !ok) {
    spdlog::warn("pass {} could not record drift: {}", rec.record().pass_id, ok.error().message);
  }
}

// An ambiguous commit (DB_IN_DOUBT) is settled by what the database recorded for this pass, on a
// new session: true if the apply committed (the pass then goes on as succeeded, never applying
// again); false if it did not or cannot be told yet (the pass fails; the next one re-plans).
bool Controller::Impl::committed_after_all(PassRecorder& rec, const Error& error) {
  if (error.code != "DB_IN_DOUBT") return false;
  state.reset();
  if (!ensure_state()) return false;
  auto revision = state->committed_revision(rec.record());
  if (!revision) {
    state.reset();
    return false;
  }
  spdlog::warn("pass {} commit outcome was in doubt; the database says it {} (revision {})",
               rec.record().pass_id, *revision ? "committed" : "did not commit", revision->value_or(-1));
  return revision->has_value();
}

// True (and the pass recorded as no_changes) when neither Git nor the database moved since the
// latest pass that found nothing to do: one counter read instead of reading every row.
Result<bool> Controller::Impl::still_in_sync(PassRecorder& rec) {
  if (!in_sync_plan || in_sync_desired != desired_revision) return false;
  auto revision = state->current_revision();
  if (!revision) return tl::unexpected(revision.error());
  if (*revision != in_sync_revision) return false;
  rec.record().plan = *in_sync_plan;
  rec.record().plan_ms = 0;
  rec.record().status = "no_changes";
  spdlog::info("pass {} commit={} unchanged since the last in-sync pass (revision {}): nothing to do",
               rec.record().pass_id, desired->commit, *revision);
  return true;
}

// Fetch (skipped for NOTIFY passes, which re-check the same revision) and load through the
// parse cache. An invalid revision leaves the last good desired state in force.
Result<void> Controller::Impl::fetch_and_load(PassRecorder& rec, const Request& request) {
  auto start = Steady::now();
  if (request.reason == Trigger::notify && desired && loaded_revision) {
    // A NOTIFY pass re-checks the revision in force against the database: nothing to fetch.
    rec.record().commit = loaded_revision->commit;
    rec.record().actor = loaded_revision->author;
    rec.record().fetch_ms = ms_since(start);
    return {};
  }
  auto fetched = seams.source->snapshot(stop_source.get_token());
  if (!fetched) return tl::unexpected(fetched.error());
  std::shared_ptr<const source::Snapshot> snap = *fetched;
  rec.record().commit = snap->commit;
  rec.record().actor = snap->author;
  rec.record().fetch_ms = ms_since(start);
  if (desired && snap == loaded_snapshot.lock()) return {};
  loaded_snapshot.reset();
  loaded_revision.reset();
  // Let go of the state in force (the loader holds it too): the loader then moves the resources
  // of unchanged files into the new state instead of copying them, and hands it back if this
  // revision is invalid.
  desired.reset();
  start = Steady::now();
  source::CachedLoad loaded = loader.load(*snap);
  rec.record().load_ms = ms_since(start);
  if (loaded.diagnostics.has_errors()) {
    desired = std::move(loaded.previous);
    for (const auto& d : loaded.diagnostics.items()) {
      spdlog::warn("pass {} commit={} {}: {}: {}", rec.record().pass_id, snap->commit, d.location.str(),
                   d.code, d.message);
    }
    return make_error(ErrorKind::terminal, "INVALID_REVISION",
                      std::to_string(loaded.diagnostics.error_count()) + " error(s) in commit " +
                          snap->commit + "; first: " + first_error(loaded.diagnostics));
  }
  desired = std::move(loaded.desired);
  desired_revision = revision_of(*desired);
  if (plan_memo && loaded.changed) {
    plan_memo->recheck.insert(plan_memo->recheck.end(), loaded.changed->begin(), loaded.changed->end());
  } else {
    plan_memo.reset();
  }
  loaded_snapshot = snap;
  loaded_revision = Revision{snap->commit, snap->author};
  set_health([&](Health& h) {
    h.loaded = true;
    h.last_good_commit = desired->commit;
  });
  return {};
}

void Controller::Impl::finish(const RunRecord& record) {
  const bool failed = record.status == "failed";
  if (failed) {
    spdlog::error("pass {} failed commit={} correlation_id={}: {}", record.pass_id, record.commit,
                  record.correlation_id, record.error);
  } else {
    spdlog::info("pass {} {} commit={} correlation_id={} fetch={}ms load={}ms plan={}ms apply={}ms",
                 record.pass_id, record.status, record.commit, record.correlation_id, record.fetch_ms,
                 record.load_ms, record.plan_ms, record.apply_ms);
  }
  // A pass that could not be recorded (database down) is kept and recorded with a later one, so
  // an outage's failed passes still end up in sync_runs (at most 8: the first and the latest).
  if (unrecorded.size() >= 8) unrecorded.erase(unrecorded.begin() + 1);  // keep the first and the latest
  unrecorded.push_back(record);
  if (ensure_state()) {
    while (!unrecorded.empty()) {
      if (auto ok = state->record_run(unrecorded.front()); !ok) {
        spdlog::warn("pass {} could not be recorded: {}", unrecorded.front().pass_id, ok.error().message);
        state.reset();  // most likely the connection: reconnect next time
        break;
      }
      unrecorded.erase(unrecorded.begin());
    }
  }
  int failures = 0;
  {
    std::lock_guard<std::mutex> g(mu);
    Health& h = health_state;
    h.consecutive_failures = failed ? h.consecutive_failures + 1 : 0;
    failures = h.consecutive_failures;
    h.last_pass_status = record.status;
    h.last_pass_at = record.finished_at;
    h.last_commit = record.commit;
    h.last_error = record.error;
    ++passes_finished;
    ++drift_changes;
  }
  if (seams.on_pass) seams.on_pass(record);
  pass_cv.notify_all();
  const auto delay = failed ? backoff_delay(options.backoff, failures)
                            : jittered(options.interval, options.jitter, seams.random());
  next_pass = Steady::now() + delay;
  next_drift_poll = Steady::now() + options.drift_poll;  // the pass just computed drift
}

// ---- drift between passes ------------------------------------------------------------------

void Controller::Impl::handle_notify(const Heard& heard) {
  if (!desired) return;
  if (!options.self_heal) return check_drift(heard);
  if (!ensure_state()) return;
  auto rev = state->current_revision();
  if (!rev) {
    state.reset();
    return;
  }
  if (*rev == seen_revision) return;  // our own apply, already accounted for
  run_pass(Request{Trigger::notify, {}}, new_pass_id());
}

// Cheap: no fetch, no parse; read the database and diff it against the cached desired state.
// When every change heard named its rows, only those rows are read (recheck_keys).
void Controller::Impl::check_drift(const Heard& heard, bool periodic) {
  if (!desired || !ensure_state()) return;
  // By key when every change heard named its rows, except applies the drift base already holds
  // (this replica's own, heard after its pass: their revision is at most the last full read's).
  if (!heard.unkeyed && !heard.keys.empty() && heard.applied_revision <= seen_revision && drift_base &&
      drift_base_desired == desired_revision) {
    return recheck_keys(heard.keys);
  }
  auto start = Steady::now();
  auto rev = state->current_revision();
  if (!rev) {
    state.reset();
    return;
  }
  if (*rev == seen_revision) return;
  // The periodic check trusts what was heard; an unkeyed note never does (an apply elsewhere may
  // have committed inside the last snapshot recheck_keys read).
  if (periodic && drift_base && *rev == heard_revision) return;
  // A write that committed an instant ago is usually still on its way as a NOTIFY: let the loop
  // handle that (by key) rather than read every row now, which at 100k resources would hold
  // drift back by seconds. Without a notification, read everything.
  if (periodic && drift_base && notification_within(k_notify_grace)) return;
  forget_actual();  // moved on (or it would have been seen_revision): read afresh below
  auto actual = state->read_actual();
  if (!actual) {
    state.reset();
    return;
  }
  const auto read_ms = ms_since(start);
  start = Steady::now();
  auto drift = plan::make_drift(*desired, *actual);
  const auto diff_ms = ms_since(start);
  start = Steady::now();
  if (auto ok = state->record_drift(drift); !ok) {
    spdlog::warn("controller: could not record drift: {}", ok.error().message);
    return;
  }
  remember_full_drift(drift);
  announce_drift_change();
  spdlog::info("controller: drift recomputed at revision {}: {} item(s) read={}ms diff={}ms write={}ms",
               actual->revision, drift.items.size(), read_ms, diff_ms, ms_since(start));
  known_actual = std::move(*actual);  // the next pass plans on it if nothing moves
  plan_memo.reset();
}

// True if a change notification is waiting, or arrives within `grace` (or the controller stops).
bool Controller::Impl::notification_within(std::chrono::milliseconds grace) {
  std::unique_lock<std::mutex> g(mu);
  return cv.wait_for(g, grace, [&] { return stopping || notified; });
}

// Drift computed from a read of every row: the base later notifications update.
void Controller::Impl::remember_full_drift(const plan::DriftReport& drift) {
  seen_revision = drift.actual_revision;
  drift_base = drift;
  drift_base_desired = desired_revision;
}

// Wakes wait_for_drift_change (plumb run then drops the API's cached drift).
void Controller::Impl::announce_drift_change() {
  {
    std::lock_guard<std::mutex> g(mu);
    ++drift_changes;
  }
  pass_cv.notify_all();
}

// The rows NOTIFY named, re-read and re-diffed on top of the last drift: the other rows have not
// changed since it was computed (every out-of-band row write notifies; anything else is unkeyed).
// seen_revision is left alone (it is the latest *full* read); heard_revision records the snapshot.
void Controller::Impl::recheck_keys(const std::vector<model::ResourceKey>& keys) {
  auto start = Steady::now();
  auto rows = state->read_resources(keys);
  if (!rows) {
    drift_base.reset();  // what was heard is lost: the next check reads everything
    state.reset();
    return;
  }
  const auto read_ms = ms_since(start);
  start = Steady::now();
  auto drift = plan::update_drift(*drift_base, *desired, *rows, keys);
  const auto diff_ms = ms_since(start);
  start = Steady::now();
  if (auto ok = state->record_drift(drift); !ok) {
    spdlog::warn("controller: could not record drift: {}", ok.error().message);
    drift_base.reset();
    return;
  }
  drift_base = drift;
  heard_revision = rows->revision;
  announce_drift_change();
  spdlog::info(
      "controller: drift updated for {} notified row(s) at revision {}: {} item(s) read={}ms diff={}ms "
      "write={}ms",
      keys.size(), rows->revision, drift.items.size(), read_ms, diff_ms, ms_since(start));
}

// ---- public --------------------------------------------------------------------------------

Controller::Controller(ControllerOptions options, Seams seams)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(seams))) {}

Controller::~Controller() {
  stop();
}

void Controller::start() {
  {
    std::lock_guard<std::mutex> g(m_impl->mu);
    if (m_impl->started) return;
    m_impl->started = true;
  }
  m_impl->loop_thread = std::thread([this] { m_impl->loop(); });
  m_impl->feed_thread = std::thread([this] { m_impl->feed_loop(); });
}

Result<std::string> Controller::trigger(const Request& request) {
  std::lock_guard<std::mutex> g(m_impl->mu);
  if (m_impl->stopping) return make_error(ErrorKind::terminal, "STOPPED", "the controller is shutting down");
  if (m_impl->pending) return m_impl->pending_id;  // coalesced into the pass already asked for
  m_impl->pending = request;
  m_impl->pending_id = new_pass_id();
  m_impl->cv.notify_all();
  return m_impl->pending_id;
}

void Controller::stop() {
  {
    std::lock_guard<std::mutex> g(m_impl->mu);
    m_impl->stopping = true;
  }
  m_impl->stop_source.request_stop();
  m_impl->cv.notify_all();
  if (m_impl->loop_thread.joinable()) m_impl->loop_thread.join();
  if (m_impl->feed_thread.joinable()) m_impl->feed_thread.join();
}

Health Controller::health() const {
  std::lock_guard<std::mutex> g(m_impl->mu);
  Health h = m_impl->health_state;
  h.ready = h.live && h.database && (!h.leader || h.loaded);
  return h;
}

bool Controller::wait_for_pass(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> g(m_impl->mu);
  const auto seen = m_impl->passes_finished;
  return m_impl->pass_cv.wait_for(g, timeout, [&] { return m_impl->passes_finished > seen; });
}

std::uint64_t Controller::drift_changes() const {
  std::lock_guard<std::mutex> g(m_impl->mu);
  return m_impl->drift_changes;
}

bool Controller::wait_for_drift_change(std::uint64_t& seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> g(m_impl->mu);
  if (!m_impl->pass_cv.wait_for(g, timeout, [&] { return m_impl->drift_changes > seen; })) return false;
  seen = m_impl->drift_changes;
  return true;
}

}  // namespace plumb::controller
