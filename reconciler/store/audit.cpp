#include "reconciler/store/internal.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::store {

namespace {

constexpr const char* k_genesis_hash = "0000000000000000000000000000000000000000000000000000000000000000";

// Mirrors @schema@.audit_field in 0001_init.sql.
void append_field(std::string& out, const pqxx::field& field) {
  if (field.is_null()) {
    out += "~;";
    return;
  }
  const std::string_view value(field.c_str(), field.size());
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

// Mirrors @schema@.audit_canonical: columns 0 (seq) and 1 (epoch microseconds), then fields 2..12.
std::string canonical_text(const pqxx::row& row) {
  std::string out = "v1;";
  out += row[0].c_str();
  out += ';';
  out += row[1].c_str();
  out += ';';
  for (int i = 2; i <= 12; ++i) append_field(out, row[i]);
  return out;
}

// Local so the store does not depend on the plan library's object code (plumb_plan may be
// header-only while it is being built).
std::string drift_type_text(plan::DriftType type) {
  switch (type) {
    case plan::DriftType::missing:
      return "missing";
    case plan::DriftType::modified:
      return "modified";
    case plan::DriftType::unmanaged:
      return "unmanaged";
    case plan::DriftType::orphaned:
      return "orphaned";
  }
  return "modified";
}

AuditVerifyResult broken(AuditVerifyResult result, std::int64_t seq, std::string reason) {
  result.ok = false;
  result.first_bad = seq;
  result.reason = std::move(reason);
  return result;
}

}  // namespace

Result<AuditVerifyResult> Store::verify_audit() {
  return detail::guarded("verify the audit chain", [&]() -> Result<AuditVerifyResult> {
    // One snapshot, read in pages by seq so a long chain never sits in memory whole.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*m_impl->conn);
    const std::string page_sql = m_impl->q(
        "SELECT seq, (extract(epoch FROM occurred_at) * 1000000)::bigint, actor, actor_type, action, kind, "
        "tenant, "
        "workspace, name, diff::text, commit, sync_run_id, correlation_id, prev_hash, hash "
        "FROM @schema@.audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000");
    AuditVerifyResult result;
    std::string previous = k_genesis_hash;
    std::int64_t expected = 1;
    while (true) {
      const auto rows = tx.exec_params(page_sql, expected);
      for (const auto& row : rows) {
        const auto seq = row[0].as<std::int64_t>();
        if (seq != expected)
          return broken(result, expected, "row " + std::to_string(expected) + " is missing");
        if (previous != row[13].c_str()) {
          return broken(result, seq, "prev_hash does not match the hash of row " + std::to_string(seq - 1));
        }
        const std::string hash = crypto::sha256_hex(previous + canonical_text(row));
        if (hash != row[14].c_str()) return broken(result, seq, "the row's content does not match its hash");
        previous = hash;
        ++expected;
        ++result.checked;
      }
      if (rows.size() < 5000) break;
    }
    const auto head = tx.exec(m_impl->q("SELECT seq, hash FROM @schema@.audit_head"));
    tx.commit();
    if (head.empty() || head[0][0].as<std::int64_t>() != expected - 1 || previous != head[0][1].c_str()) {
      return broken(result, expected,
                    "rows at the end of the chain are missing (the chain head is further on)");
    }
    return result;
  });
}

Result<void> Store::record_drift(const plan::DriftReport& report) {
  model::Json items = model::Json::array();
  for (const auto& item : report.items) {
    model::Json fields = model::Json::array();
    for (const auto& f : item.fields) {
      model::Json entry = {{"path", f.path}};
      if (f.before) entry["before"] = *f.before;
      if (f.after) entry["after"] = *f.after;
      fields.push_back(std::move(entry));
    }
    items.push_back({{"kind", std::string(model::kind_name(item.key.kind))},
                     {"tenant", item.key.tenant},
                     {"workspace", item.key.workspace},
                     {"name", item.key.name},
                     {"type", drift_type_text(item.type)},
                     {"fields", std::move(fields)}});
  }
  return detail::guarded("record drift", [&]() -> Result<void> {
    pqxx::work tx(*m_impl->conn);
    // Items still drifting the same way keep their first detection time; the rest are replaced.
    const std::string rows =
        "jsonb_to_recordset($1::jsonb) AS r(kind text, tenant text, workspace text, name text, type text, "
        "fields jsonb)";
    tx.exec_params(m_impl->q("DELETE FROM @schema@.drift_items d WHERE NOT EXISTS (SELECT 1 FROM " + rows +
                             " WHERE r.kind = d.kind AND r.tenant = d.tenant AND r.workspace = d.workspace "
                             "AND r.name = d.name)"),
                   items.dump());
    tx.exec_params(m_impl->q("INSERT INTO @schema@.drift_items AS d (kind, tenant, workspace, name, type, fields) "
                             "SELECT r.kind, r.tenant, r.workspace, r.name, r.type, r.fields FROM " +
                             rows +
                             " ON CONFLICT (kind, tenant, workspace, name) DO UPDATE SET type = EXCLUDED.type, "
                             "fields = EXCLUDED.fields, detected_at = CASE WHEN d.type = EXCLUDED.type "
                             "THEN d.detected_at ELSE now() END"),
                   items.dump());
    tx.exec_params(
        m_impl->q("UPDATE @schema@.drift_state SET commit = $1, revision = $2, checked_at = now()"),
        report.commit, report.actual_revision);
    tx.commit();
    return {};
  });
}

}  // namespace plumb::store
