#include <array>
#include <chrono>
#include <functional>
#include <thread>

#include "reconciler/model/values.hpp"
#include "reconciler/store/apply_sql.hpp"
#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"
#include "reconciler/util/handoff.hpp"
#include "reconciler/util/token_format.hpp"

namespace plumb::store {

namespace {

using model::Json;
using model::Kind;

// Advisory lock class for applies (the second key is the schema's hash): transaction-scoped,
// so two applies on one schema never interleave.
constexpr int k_apply_lock_class = 0x7061;

bool is_valid_actor_type(const std::string& type) {
  return type == "git" || type == "api" || type == "cli";
}

// Writes a failed/refused sync run in its own short transaction unless dismissed: whichever
// return an apply takes, its run is on record.
class FailedRunRecorder {
 public:
  FailedRunRecorder(Store& store, const plan::Plan& plan, const ApplyOptions& options, std::string id)
      : m_store(store),
        m_plan(plan),
        m_options(options),
        m_id(std::move(id)),
        m_started(std::chrono::system_clock::now()) {}
  FailedRunRecorder(const FailedRunRecorder&) = delete;
  FailedRunRecorder& operator=(const FailedRunRecorder&) = delete;
  ~FailedRunRecorder() {
    if (m_dismissed) return;
    try {
      SyncRunRecord run;
      run.id = m_id;
      run.trigger = m_options.trigger;
      run.commit = m_plan.commit;
      run.status = m_status;
      run.plan = detail::compact_plan(m_plan);
      run.error = m_error;
      run.actor = m_options.actor;
      run.correlation_id = m_options.correlation_id;
      run.started_at = m_started;
      run.finished_at = std::chrono::system_clock::now();
      (void)m_store.record_sync_run(run);  // best effort: the database may be the reason we failed
    } catch (...) {
    }
  }
  void fail(const Error& error, bool refused) {
    m_error = error.code + ": " + error.message;
    m_status = refused ? "refused" : "failed";
  }
  void dismiss() { m_dismissed = true; }

 private:
  Store& m_store;
  const plan::Plan& m_plan;
  const ApplyOptions& m_options;
  std::string m_id;
  std::chrono::system_clock::time_point m_started;
  std::string m_status = "failed";
  std::string m_error = "apply did not complete";
  bool m_dismissed = false;
};

// Mints a secret for `row`: only its keyed hash and its sealed form are stored.
void mint_into(Json& row, const detail::TokenKeys& keys) {
  std::string secret = token_format::generate();
  row["secret_hash"] = crypto::hmac_sha256_hex(keys.hmac_key, secret);
  row["pending_secret"] = crypto::to_hex(crypto::encrypt(keys.seal_key, secret));
  row["minted_at"] = true;
  std::fill(secret.begin(), secret.end(), '\0');
}

// Rows go to PostgreSQL in statements of at most this many: a 100k-resource apply then never
// holds more than one batch of JSON at a time (peak memory), and progress moves per batch.
constexpr std::size_t k_batch_rows = 5000;

Json write_row(const plan::Change& change, const plan::Plan& plan, const detail::TokenKeys& keys,
               std::vector<model::ResourceKey>& minted) {
  Json row = detail::upsert_row(change, plan.commit);
  if (change.key.kind == Kind::api_token) {
    const auto ttl = change.desired->spec.contains("ttl")
                         ? model::parse_duration(change.desired->spec["ttl"].get<std::string>())
                         : std::nullopt;
    if (ttl) row["ttl_seconds"] = *ttl;
    if (change.action == plan::Action::create || change.rotate_secret) {
      mint_into(row, keys);
      minted.push_back(change.key);
    }
  }
  return row;
}

// An audit row as COPY takes it, in the order of k_audit_columns. seq, occurred_at and the two
// hashes are the chain trigger's to set.
constexpr std::array<const char*, 13> k_audit_columns = {
    "actor", "actor_type", "action",      "kind",           "tenant",    "workspace", "name",
    "diff",  "commit",     "sync_run_id", "correlation_id", "prev_hash", "hash"};
using AuditRow = std::array<std::string, k_audit_columns.size()>;

// Who wrote the rows of an apply, for its audit rows.
struct AuditContext {
  const ApplyOptions& options;
  const std::string& commit;
  const std::string& run_id;
};

AuditRow audit_row(const plan::Change& change, const AuditContext& context) {
  const std::string scope = change.key.kind == Kind::tenant ? change.key.name : change.key.tenant;
  return {context.options.actor,
          context.options.actor_type,
          detail::audit_action(change),
          std::string(model::kind_name(change.key.kind)),
          scope,
          change.key.workspace,
          change.key.name,
          detail::audit_diff(change).dump(),
          context.commit,
          context.run_id,
          context.options.correlation_id,
          "",
          ""};
}

// Collects rows and hands them to `send` as one JSON array, with their number, once a batch is
// full (or when flushed). Each row is serialised as it comes, so its JSON is freed at once rather
// than a batch of trees at the end.
class BatchWriter {
 public:
  using Send = std::function<void(const std::string& rows, std::size_t count)>;
  explicit BatchWriter(Send send) : m_send(std::move(send)) {}
  void add(const Json& row) {
    m_text += m_rows == 0 ? '[' : ',';
    m_text += row.dump();
    if (++m_rows >= k_batch_rows) flush();
  }
  void flush() {
    if (m_rows == 0) return;
    m_text += ']';
    m_send(m_text, m_rows);
    m_text.clear();
    m_rows = 0;
  }

 private:
  Send m_send;
  std::string m_text;
  std::size_t m_rows = 0;
};

Result<void> check_preconditions(pqxx::work& tx, const Store::Impl& impl, const plan::Plan& plan,
                                 const ApplyOptions& options) {
  tx.exec("SET LOCAL lock_timeout = '" + std::to_string(options.lock_timeout.count()) + "ms'");
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", k_apply_lock_class, impl.options.schema);
  // FOR UPDATE: no out-of-band write can commit between this check and our commit.
  const auto now =
      tx.exec(impl.q("SELECT revision FROM @schema@.state_revision FOR UPDATE"))[0][0].as<std::int64_t>();
  if (now != plan.actual_revision) {
    return make_error(ErrorKind::conflict, "STALE_PLAN",
                      "the database changed since this plan was made (revision " +
                          std::to_string(plan.actual_revision) + ", now " + std::to_string(now) +
                          "): run plumb plan again");
  }
  if (!options.fence_sql.empty()) {
    const bool held =
        tx.exec("SELECT coalesce((" + options.fence_sql + ")::boolean, false)")[0][0].as<bool>();
    if (!held) {
      return make_error(ErrorKind::conflict, "LEADERSHIP_LOST",
                        "this replica no longer holds the leader lock; the plan was not applied");
    }
  }
  return {};
}

// One statement of an apply: its SQL and its batch of rows as a JSON array, or a batch of audit
// rows to COPY into the audit log (about twice as fast for PostgreSQL as the same rows as one
// JSON parameter: it parses each diff once, not the batch and then each diff out of it).
struct Statement {
  std::string sql;
  std::string rows;
  std::size_t count = 0;  // rows in the batch, for progress (audit rows are not counted)
  std::vector<AuditRow> audit;
};

// The builder stops when the sending side gave up (its transaction failed).
struct SendingStopped {};

// What the builder leaves for the sending thread besides the statements.
struct Built {
  std::vector<model::ResourceKey> minted;  // tokens whose secrets were minted
  std::string plan_record;                 // the run's compact plan (JSON text)
};

// Every statement of the apply, in the order they are sent: upserts by kind (dependency order),
// deletes in reverse, then one audit row per change in plan order (the chain trigger links them
// in insertion order); then, while the last statements run, the run's plan record. Runs on its
// own thread (Store::apply); touches no connection.
void build_statements(Handoff<Statement>& out, const Store::Impl& impl, const plan::Plan& plan,
                      const AuditContext& context, Built& built) {
  auto& minted = built.minted;
  for (Kind kind : model::k_all_kinds) {
    const std::string sql = impl.q(detail::upsert_sql(kind));
    BatchWriter upserts([&](const std::string& rows, std::size_t n) {
      if (!out.push(Statement{sql, rows, n, {}})) throw SendingStopped{};
    });
    for (const auto& change : plan.changes) {
      if (change.key.kind == kind && change.action != plan::Action::remove)
        upserts.add(write_row(change, plan, impl.keys, minted));
    }
    upserts.flush();
  }
  for (auto it = model::k_all_kinds.rbegin(); it != model::k_all_kinds.rend(); ++it) {
    const std::string sql = impl.q(detail::delete_sql(*it));
    BatchWriter deletes([&](const std::string& rows, std::size_t n) {
      if (!out.push(Statement{sql, rows, n, {}})) throw SendingStopped{};
    });
    for (const auto& change : plan.changes) {
      if (change.key.kind == *it && change.action == plan::Action::remove)
        deletes.add(detail::key_row(change.key));
    }
    deletes.flush();
  }
  std::vector<AuditRow> audit;
  for (std::size_t i = 0; i < plan.changes.size(); ++i) {
    audit.push_back(audit_row(plan.changes[i], context));
    if (audit.size() == k_batch_rows || i + 1 == plan.changes.size()) {
      if (!out.push(Statement{{}, {}, 0, std::move(audit)})) throw SendingStopped{};
      audit.clear();
    }
  }
  built.plan_record = detail::compact_plan(plan).dump();
}

// Writes the plan's rows and audit rows in `tx`. The statements are built on a second thread
// while this one sends them, so building the next batch (JSON, spec hashes, minted secrets,
// audit diffs) overlaps PostgreSQL executing the current one; they are sent in build order.
// Returns the minted tokens' keys and the run's plan record.
Built write_plan(pqxx::work& tx, const Store::Impl& impl, const plan::Plan& plan, const ApplyOptions& options,
                 const std::string& run_id) {
  Handoff<Statement> pipe(2);
  Built built;
  const AuditContext context{options, plan.commit, run_id};
  std::thread builder([&] {
    try {
      build_statements(pipe, impl, plan, context, built);
      pipe.close();
    } catch (const SendingStopped&) {
      pipe.close();
    } catch (...) {
      pipe.close(std::current_exception());
    }
  });
  // Whichever way this ends (a statement may throw), the builder is stopped and joined first.
  struct Join {
    Handoff<Statement>& pipe;
    std::thread& thread;
    ~Join() {
      pipe.cancel();
      thread.join();
    }
  } join{pipe, builder};
  std::size_t done = 0;
  const std::string audit_table = impl.q("@schema@.audit_log");
  while (auto statement = pipe.pop()) {
    if (!statement->audit.empty()) {
      // In plan order: the chain trigger links the rows in the order they arrive.
      pqxx::stream_to copy(tx, audit_table, k_audit_columns);
      for (const AuditRow& row : statement->audit) copy << row;
      copy.complete();
      continue;
    }
    tx.exec_params(statement->sql, statement->rows);
    done += statement->count;
    if (options.progress) options.progress(done, plan.changes.size());
  }
  return built;  // the builder closed the pipe: it is done with `built`
}

// Checks made before touching the database: the planner's verdict, the plan's shape (a saved
// plan may have been edited by hand), and prevent-destroy as defence in depth.
Result<void> validate_plan(const plan::Plan& plan) {
  if (!plan.applyable()) {
    return make_error(ErrorKind::terminal, "PLAN_NOT_APPLYABLE",
                      "the plan has errors (see its diagnostics) and cannot be applied; nothing was changed");
  }
  for (const auto& change : plan.changes) {
    const bool needs_desired = change.action != plan::Action::remove;
    if ((needs_desired && (!change.desired || !(change.desired->key == change.key))) ||
        (!needs_desired && change.desired)) {
      return make_error(ErrorKind::terminal, "INVALID_PLAN",
                        change.key.str() +
                            ": a create/update must carry its desired resource (with the same key) "
                            "and a delete none; nothing was changed");
    }
    if (change.action == plan::Action::remove && change.actual && model::prevents_destroy(*change.actual)) {
      return make_error(ErrorKind::terminal, "PREVENT_DESTROY",
                        change.key.str() +
                            " is annotated plumb.dev/prevent-destroy and cannot be deleted; nothing "
                            "was changed");
    }
  }
  return {};
}

void count_changes(const plan::Plan& plan, ApplyResult& result) {
  for (const auto& c : plan.changes) {
    if (c.action == plan::Action::create) ++result.created;
    if (c.action == plan::Action::update) ++result.updated;
    if (c.action == plan::Action::remove) ++result.deleted;
  }
}

// The run's row, in the apply's own transaction (upsert: the controller may have written it
// as `running` first).
void write_sync_run(pqxx::work& tx, const Store::Impl& impl, const plan::Plan& plan, const std::string& plan_record,
                    const ApplyOptions& options, const ApplyResult& result) {
  const Json counts = {{"create", result.created}, {"update", result.updated}, {"delete", result.deleted}};
  tx.exec_params(
      impl.q("INSERT INTO @schema@.sync_runs (id, trigger, commit, status, plan, counts, started_at, "
             "finished_at, duration_ms, actor, correlation_id, revision) VALUES ($1, $2, $3, $4, "
             "$5::jsonb, $6::jsonb, now(), clock_timestamp(), $7, $8, $9, $10) ON CONFLICT (id) DO UPDATE "
             "SET status = EXCLUDED.status, commit = EXCLUDED.commit, plan = EXCLUDED.plan, "
             "counts = EXCLUDED.counts, finished_at = EXCLUDED.finished_at, "
             "duration_ms = EXCLUDED.duration_ms, revision = EXCLUDED.revision"),
      result.sync_run_id, options.trigger, plan.commit, plan.empty() ? "no_changes" : "succeeded",
      plan_record, counts.dump(), result.duration_ms, options.actor, options.correlation_id,
      result.revision);
}

}  // namespace

Result<ApplyResult> Store::apply(const plan::Plan& plan, const ApplyOptions& options) {
  if (m_impl->options.read_only) return tl::unexpected(detail::read_only_refusal("apply a plan"));
  if (!is_valid_actor_type(options.actor_type)) {
    return make_error(ErrorKind::terminal, "INVALID_ACTOR_TYPE", "actor_type must be git, api or cli");
  }
  const auto started = std::chrono::steady_clock::now();
  ApplyResult result;
  result.sync_run_id =
      options.sync_run_id.empty() ? crypto::to_hex(crypto::random_bytes(16)) : options.sync_run_id;
  FailedRunRecorder recorder(*this, plan, options, result.sync_run_id);
  if (auto valid = validate_plan(plan); !valid) {
    recorder.fail(valid.error(), true);
    return tl::unexpected<Error>(valid.error());
  }
  auto applied = detail::guarded("apply the plan", [&]() -> Result<ApplyResult> {
    pqxx::work tx(*m_impl->conn);
    tx.exec_params("SELECT set_config('plumb.sync_run', $1, true)", result.sync_run_id);
    if (auto ok = check_preconditions(tx, *m_impl, plan, options); !ok)
      return tl::unexpected<Error>(ok.error());
    Built built = write_plan(tx, *m_impl, plan, options, result.sync_run_id);
    result.minted_tokens = std::move(built.minted);
    count_changes(plan, result);
    result.revision =
        tx.exec(m_impl->q("SELECT revision FROM @schema@.state_revision"))[0][0].as<std::int64_t>();
    result.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    write_sync_run(tx, *m_impl, plan, built.plan_record, options, result);
    if (!plan.empty()) {
      const Json note = {{"op", "apply"}, {"syncRunId", result.sync_run_id}, {"revision", result.revision}};
      tx.exec_params("SELECT pg_notify($1, $2)", std::string(k_changes_channel), note.dump());
    }
    tx.commit();
    return result;
  });
  if (applied) {
    recorder.dismiss();
  } else {
    recorder.fail(applied.error(),
                  applied.error().code == "STALE_PLAN" || applied.error().code == "LEADERSHIP_LOST");
  }
  return applied;
}

}  // namespace plumb::store
