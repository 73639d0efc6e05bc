#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::store {

namespace {

std::string load_token_key(pqxx::connection& conn, const std::string& schema) {
  pqxx::work tx(conn);
  const auto rows =
      tx.exec("SELECT encode(value, 'hex') FROM " + schema + ".server_secrets WHERE name = 'token_key'");
  std::string key;
  if (!rows.empty()) crypto::from_hex(rows[0][0].c_str(), key);
  tx.commit();
  return key;
}

std::int64_t epoch_micros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

const StoreOptions& Store::options() const {
  return m_impl->options;
}

Result<Store> Store::open(const std::string& url, const StoreOptions& options) {
  if (!is_valid_schema_name(options.schema)) {
    return make_error(ErrorKind::terminal, "INVALID_SCHEMA",
                      "schema name '" + options.schema + "' is not a plain identifier");
  }
  return detail::guarded("open the plumb database", [&]() -> Result<Store> {
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    impl->conn = detail::connect(url, options.application_name);
    if (options.read_only) return Store(std::move(impl));
    std::string key = options.token_key;
    if (key.empty()) key = load_token_key(*impl->conn, options.schema);
    if (key.empty()) {
      return make_error(ErrorKind::terminal, "NO_TOKEN_KEY",
                        "no token key configured and none stored in " + options.schema +
                            ".server_secrets: run plumb migrate");
    }
    impl->keys = detail::derive_token_keys(key);
    return Store(std::move(impl));
  });
}

Result<std::int64_t> Store::current_revision() {
  return detail::guarded("read the state revision", [&]() -> Result<std::int64_t> {
    pqxx::nontransaction tx(*m_impl->conn);
    return tx.exec(m_impl->q("SELECT revision FROM @schema@.state_revision"))[0][0].as<std::int64_t>();
  });
}

Result<void> Store::record_sync_run(const SyncRunRecord& run) {
  return detail::guarded("record the sync run", [&]() -> Result<void> {
    pqxx::work tx(*m_impl->conn);
    const std::int64_t started = epoch_micros(run.started_at);
    const std::int64_t finished = epoch_micros(run.finished_at);
    const std::string plan = run.plan ? run.plan->dump() : std::string();
    tx.exec_params(
        m_impl->q(
            "INSERT INTO @schema@.sync_runs AS s (id, trigger, commit, status, plan, counts, error, "
            "started_at, "
            "finished_at, duration_ms, actor, correlation_id) VALUES ($1, $2, $3, $4, NULLIF($5, '')::jsonb, "
            "$6::jsonb, NULLIF($7, ''), to_timestamp($8::float8 / 1e6), "
            "CASE WHEN $9::bigint = 0 THEN NULL ELSE to_timestamp($9::float8 / 1e6) END, "
            "CASE WHEN $9::bigint = 0 THEN NULL ELSE ($9::bigint - $8::bigint) / 1000 END, $10, $11) "
            "ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, "
            "plan = COALESCE(EXCLUDED.plan, s.plan), counts = CASE WHEN EXCLUDED.counts = '{}' THEN s.counts "
            "ELSE EXCLUDED.counts END, error = COALESCE(EXCLUDED.error, s.error), "
            "commit = CASE WHEN EXCLUDED.commit = '' THEN s.commit ELSE EXCLUDED.commit END, "
            "started_at = LEAST(s.started_at, EXCLUDED.started_at), "
            "finished_at = COALESCE(EXCLUDED.finished_at, s.finished_at), "
            "duration_ms = COALESCE(EXCLUDED.duration_ms, s.duration_ms) "
            // A run whose apply committed stays committed: after an ambiguous commit
            // (DB_IN_DOUBT) the caller's "failed" must not overwrite what the database says.
            "WHERE s.status NOT IN ('succeeded', 'no_changes') OR EXCLUDED.status NOT IN ('failed', "
            "'refused')"),
        run.id, run.trigger, run.commit, run.status, plan, run.counts.dump(), run.error, started, finished,
        run.actor, run.correlation_id);
    tx.commit();
    return {};
  });
}

Result<std::optional<std::int64_t>> Store::committed_revision(const std::string& sync_run_id,
                                                              const std::string& trigger) {
  return detail::guarded("settle an apply in doubt", [&]() -> Result<std::optional<std::int64_t>> {
    pqxx::work tx(*m_impl->conn);
    // READ COMMITTED whatever the database default: the row we wait for commits after our
    // snapshot, which REPEATABLE READ / SERIALIZABLE would report as a serialization failure.
    tx.exec("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    tx.exec("SET LOCAL lock_timeout = '30s'");
    // Claiming the id waits for a transaction still holding it (the apply's row is inserted in
    // the apply's own transaction), so what we read next is that transaction's final outcome.
    const auto claimed = tx.exec_params(
        m_impl->q("INSERT INTO @schema@.sync_runs (id, trigger, status, error) VALUES ($1, $2, 'failed', "
                  "'DB_IN_DOUBT: the apply did not commit') ON CONFLICT (id) DO NOTHING RETURNING id"),
        sync_run_id, trigger);
    std::optional<std::int64_t> revision;
    if (claimed.empty()) {
      const auto rows =
          tx.exec_params(m_impl->q("SELECT revision FROM @schema@.sync_runs WHERE id = $1 AND "
                                   "status IN ('succeeded', 'no_changes') AND revision IS NOT NULL"),
                         sync_run_id);
      if (!rows.empty()) revision = rows[0][0].as<std::int64_t>();
    }
    tx.commit();
    return revision;
  });
}

Result<std::string> Store::last_synced_commit() {
  return detail::guarded("read the last synced commit", [&]() -> Result<std::string> {
    pqxx::nontransaction tx(*m_impl->conn);
    const auto rows =
        tx.exec(m_impl->q("SELECT commit FROM @schema@.sync_runs WHERE status IN ('succeeded', 'no_changes') "
                          "ORDER BY number DESC LIMIT 1"));
    return rows.empty() ? std::string() : std::string(rows[0][0].c_str());
  });
}

}  // namespace plumb::store
