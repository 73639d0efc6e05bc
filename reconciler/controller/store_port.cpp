#include "reconciler/controller/store_port.hpp"

#include "reconciler/controller/pg_session.hpp"

namespace plumb::controller {

namespace {

class StorePort final : public StatePort {
 public:
  explicit StorePort(store::Store s) : m_store(std::move(s)) {}

  Result<model::ActualState> read_actual() override { return m_store.read_actual(); }
  Result<model::ActualState> read_resources(const std::vector<model::ResourceKey>& keys) override {
    return m_store.read_resources(keys);
  }
  Result<std::int64_t> current_revision() override { return m_store.current_revision(); }

  Result<std::int64_t> apply(const plan::Plan& plan, const Fence& fence, const RunRecord& run) override {
    store::ApplyOptions o;
    o.actor = run.actor.empty() ? "plumb" : run.actor;
    o.actor_type = "git";
    o.trigger = std::string(trigger_name(run.trigger));
    o.sync_run_id = run.pass_id;
    o.correlation_id = run.correlation_id;
    o.fence_sql = fence_sql(fence);
    // The leader is the only writer besides humans; a long wait means something is stuck.
    o.lock_timeout = std::chrono::milliseconds(10'000);
    auto r = m_store.apply(plan, o);
    if (!r) return tl::unexpected(r.error());
    return r->revision;
  }

  Result<void> record_drift(const plan::DriftReport& drift) override { return m_store.record_drift(drift); }

  Result<void> record_run(const RunRecord& run) override {
    store::SyncRunRecord r;
    r.id = run.pass_id;
    r.trigger = std::string(trigger_name(run.trigger));
    r.commit = run.commit;
    r.status = run.status;
    if (run.plan) r.counts = plan_counts(*run.plan);
    r.counts["fetch_ms"] = run.fetch_ms;
    r.counts["load_ms"] = run.load_ms;
    r.counts["plan_ms"] = run.plan_ms;
    r.counts["apply_ms"] = run.apply_ms;
    r.error = run.error;
    r.actor = run.actor;
    r.correlation_id = run.correlation_id;
    r.started_at = run.started_at;
    r.finished_at = run.finished_at;
    return m_store.record_sync_run(r);
  }

  Result<std::string> last_synced_commit() override { return m_store.last_synced_commit(); }

  Result<std::optional<std::int64_t>> committed_revision(const RunRecord& run) override {
    return m_store.committed_revision(run.pass_id, std::string(trigger_name(run.trigger)));
  }

 private:
  store::Store m_store;
};

}  // namespace

nlohmann::json plan_counts(const plan::Plan& plan) {
  return {{"create", plan.summary.create},       {"update", plan.summary.update},
          {"delete", plan.summary.remove},       {"unchanged", plan.summary.unchanged},
          {"skipped", plan.summary.skipped}};
}

Result<std::unique_ptr<StatePort>> connect_store_port(const std::string& database_url,
                                                      const store::StoreOptions& options) {
  auto s = store::Store::open(database_url, options);
  if (!s) return tl::unexpected(s.error());
  return std::unique_ptr<StatePort>(new StorePort(std::move(*s)));
}

}  // namespace plumb::controller
