#pragma once
// plumb::store — the PostgreSQL adapter: migrations, reading actual state, applying a plan in
// one transaction with its audit rows, token minting/reveal, audit verification, drift storage.
// Every libpqxx exception is caught here and returned as plumb::Error (see errors.hpp); none
// crosses into callers. Tables are described in schemas/db/0001_init.sql.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reconciler/model/state.hpp"
#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::store {

inline constexpr const char* k_default_schema = "plumb";
inline constexpr const char* k_changes_channel = "plumb_changes";  // NOTIFY channel of the managed tables

// How to reach and use the database.
struct StoreOptions {
  std::string schema = k_default_schema;   // validated: ^[a-z_][a-z0-9_]{0,62}$
  std::string token_key;                   // raw key bytes for token HMAC/sealing; "" = the key migrate
                                           // stored in <schema>.server_secrets (weaker fallback)
  std::string application_name = "plumb";  // shown in pg_stat_activity and out-of-band audit rows
  bool read_only = false;                  // plan, drift, audit verify: no token key is loaded (a
                                           // role without server_secrets can open it); apply,
                                           // reveal and authenticate refuse with READ_ONLY_STORE
};

// True if `schema` is a plain lower-case identifier safe to splice into SQL.
bool is_valid_schema_name(const std::string& schema);

// Creates/upgrades the schema with the embedded migrations (schemas/db/NNNN_*.sql) under a
// session advisory lock, recording each version in <schema>.schema_migrations; when
// options.token_key is empty, also generates the fallback token key in <schema>.server_secrets if
// none exists. Returns how many migrations were applied (0 = up to date).
Result<int> migrate(const std::string& url, const StoreOptions& options = {});

// Who is applying, and the hooks an apply honours.
struct ApplyOptions {
  std::string actor = "plumb";     // git commit author, API caller, CLI user
  std::string actor_type = "cli";  // git | api | cli (audit_log.actor_type)
  std::string trigger = "cli";     // sync_runs.trigger (cli, interval, webhook, api, notify, ...)
  std::string sync_run_id;         // "" = generate one; otherwise the caller's pass id
  std::string correlation_id;
  std::chrono::milliseconds lock_timeout{60000};  // waiting for another apply; 0 = wait forever
  // Fencing: a SQL boolean expression evaluated inside the apply transaction (e.g.
  // controller::fence_sql); false means leadership was lost -> conflict LEADERSHIP_LOST.
  std::string fence_sql;
  // Called after each bulk step with (changes written, total changes).
  std::function<void(std::size_t, std::size_t)> progress;
};

struct ApplyResult {
  std::string sync_run_id;
  std::size_t created = 0, updated = 0, deleted = 0;
  std::vector<model::ResourceKey> minted_tokens;  // tokens whose secret awaits `reveal_token`
  std::int64_t revision = 0;                      // state_revision after the commit
  std::int64_t duration_ms = 0;
};

// An ApiToken a plaintext secret belongs to (authenticate_token).
struct TokenIdentity {
  std::string tenant;
  std::string name;
  std::string role;
  std::optional<std::string> expires_at;  // RFC 3339 UTC, absent if it never expires
};

// The verdict of verify_audit.
struct AuditVerifyResult {
  bool ok = true;
  std::int64_t checked = 0;               // rows walked
  std::optional<std::int64_t> first_bad;  // seq of the first row that does not verify
  std::string reason;                     // why it does not (hash mismatch, broken link, gap)
};

// A sync run as the controller records it (upsert by id; apply writes its own row first).
struct SyncRunRecord {
  std::string id;
  std::string trigger = "interval";
  std::string commit;
  std::string status;  // running|succeeded|failed|refused|no_changes|drift
  std::optional<nlohmann::json> plan;
  nlohmann::json counts = nlohmann::json::object();
  std::string error;
  std::string actor;
  std::string correlation_id;
  std::chrono::system_clock::time_point started_at{};
  std::chrono::system_clock::time_point finished_at{};
};

// One connection to the plumb schema. Not thread-safe: one Store per thread. Movable.
// After a transient error (DB_UNAVAILABLE, DB_IN_DOUBT) open a new Store rather than retrying
// on this one.
class Store {
 public:
  // Connects (setting application_name) and loads the token key. Transient DB_UNAVAILABLE if
  // the server cannot be reached; terminal NOT_MIGRATED if the schema is missing.
  static Result<Store> open(const std::string& url, const StoreOptions& options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // The whole actual state in one REPEATABLE READ READ ONLY snapshot, each spec rebuilt in the
  // canonical form (so an unchanged database yields an empty plan), with its revision.
  Result<model::ActualState> read_actual();

  // Only the rows with these keys (those that exist), read and rebuilt as read_actual does, in
  // one snapshot with its revision: what the operator re-reads when NOTIFY names the rows.
  Result<model::ActualState> read_resources(const std::vector<model::ResourceKey>& keys);

  // The change counter alone (cheap).
  Result<std::int64_t> current_revision();

  // Applies `plan` in ONE transaction: serialised by a transaction-scoped advisory lock,
  // refused with conflict STALE_PLAN if the revision moved since the plan (nothing written),
  // terminal PLAN_NOT_APPLYABLE for a plan with errors, conflict LEADERSHIP_LOST if the fence
  // fails. Writes audit rows and a sync_runs row in the same transaction; a failed apply still
  // records a failed sync run (separately). Mints secrets for created/rotated tokens.
  Result<ApplyResult> apply(const plan::Plan& plan, const ApplyOptions& options = {});

  // The one-time plaintext of a minted/rotated token; clears it and audits `token.reveal`
  // (actor_type api unless `actor_type` says otherwise). Errors: terminal TOKEN_NOT_FOUND,
  // conflict TOKEN_ALREADY_REVEALED.
  Result<std::string> reveal_token(const std::string& tenant, const std::string& name,
                                   const std::string& actor, const std::string& correlation_id,
                                   const std::string& actor_type = "api");

  // The live token whose secret is `plaintext` (hash lookup; expiry by the database clock;
  // the tenant must be active). nullopt if none.
  Result<std::optional<TokenIdentity>> authenticate_token(const std::string& plaintext);

  // Walks the audit chain in seq order recomputing every hash in C++.
  Result<AuditVerifyResult> verify_audit();

  // Replaces drift_items and drift_state with `report` in one transaction; an item that was
  // already drifting the same way keeps its first detected_at.
  Result<void> record_drift(const plan::DriftReport& report);

  // Inserts or updates a sync_runs row by id (the controller's pass record).
  Result<void> record_sync_run(const SyncRunRecord& run);

  // Settles an apply that failed with DB_IN_DOUBT (call on a new Store): waits until the
  // transaction that may have written run `sync_run_id` has ended, then returns the revision that
  // apply recorded if it committed, nullopt if it did not (the run is then on record as failed,
  // with `trigger`).
  Result<std::optional<std::int64_t>> committed_revision(const std::string& sync_run_id,
                                                         const std::string& trigger);

  // The commit of the latest succeeded / no_changes sync run ("" if none).
  Result<std::string> last_synced_commit();

  const StoreOptions& options() const;

  // Implementation detail of the store's own .cpp files (the connection and keys).
  struct Impl;

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace plumb::store
