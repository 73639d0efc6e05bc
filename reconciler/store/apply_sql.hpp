#pragma once
// The bulk statements of apply: each takes one jsonb array parameter ($1) of row objects and
// writes them in a single round trip (jsonb_to_recordset), per kind and action.
#include <string>

#include "reconciler/model/kind.hpp"
#include "reconciler/model/resource.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/store/internal.hpp"

namespace plumb::store::detail {

// INSERT ... ON CONFLICT DO UPDATE for creates and updates of `kind` (reactivates soft-deleted
// rows, marks rows managed by plumb). Uses `@schema@`.
std::string upsert_sql(model::Kind kind);

// Soft delete (tenants, workspaces: deleted_at) or DELETE (the others) of the listed keys.
std::string delete_sql(model::Kind kind);

// The row object upsert_sql expects for a create/update change (desired resource + provenance).
model::Json upsert_row(const plan::Change& change, const std::string& commit);

// The row object delete_sql expects.
model::Json key_row(const model::ResourceKey& key);

// The audit action of a change: "<slug>.create|update|delete", "token.rotate" for a rotation.
std::string audit_action(const plan::Change& change);

// {before, after, fields, reason}: bodies only, so never a secret.
model::Json audit_diff(const plan::Change& change);

// The plan as sync_runs.plan keeps it: each change's action, key, reason and field diffs (the
// bodies are in the change's audit row), with the provenance and summary.
model::Json compact_plan(const plan::Plan& plan);

}  // namespace plumb::store::detail
