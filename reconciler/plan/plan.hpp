#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/model/diagnostics.hpp"
#include "reconciler/model/resource.hpp"
#include "reconciler/model/state.hpp"

namespace plumb::plan {

using model::Json;

// What a change does. The enum value is the glyph printed in plans, logs and audit rows.
enum class Action : char { create = '+', update = '~', remove = '-' };

char glyph(Action action);
std::string_view action_name(Action action);  // "create" | "update" | "delete"

// One field that differs, by dotted path into Resource::body() ("spec.plan",
// "metadata.labels.team", "spec.source.config.url", "spec.integrations[0].revision").
// `before`/`after` are absent when the field is added/removed.
struct FieldChange {
  std::string path;
  std::optional<Json> before;
  std::optional<Json> after;
};

// One resource to change. `desired` is set for create/update, `actual` for update/delete.
// `reason` is for people and the audit log; apply never branches on it.
struct Change {
  Action action = Action::create;
  model::ResourceKey key;
  std::optional<model::Resource> desired;
  std::optional<model::Resource> actual;
  std::vector<FieldChange> fields;   // for update: every differing field, sorted by path
  std::string reason;                // "declared in Git, absent from the database", ...
  bool rotate_secret = false;        // ApiToken created, or spec.rotation increased
  bool reactivate = false;           // create over a soft-deleted tenant/workspace row
};

struct Summary {
  std::size_t create = 0;
  std::size_t update = 0;
  std::size_t remove = 0;
  std::size_t unchanged = 0;
  std::size_t skipped = 0;  // differences a policy forbids acting on (observe, create-only, no-delete)
};

// How plumb may act, per kind (a resource's `plumb.dev/policy` annotation wins), and the
// mass-delete guard.
struct PlanPolicy {
  std::map<model::Kind, model::Policy> per_kind;  // absent = full
  double max_delete_fraction = 0.25;              // refuse deleting more than this share of managed
  bool allow_mass_delete = false;
};

// A plan is data: ordered changes plus the provenance it was computed from. It is applyable
// only if it has no error diagnostics (mass-delete guard, prevent-destroy, ...).
struct Plan {
  static constexpr int k_format_version = 1;
  std::string commit;                 // desired commit ("" for a directory)
  std::int64_t actual_revision = 0;   // ActualState::revision it was computed against
  std::vector<Change> changes;        // creates in dependency order, then updates, deletes reversed
  Summary summary;
  model::Diagnostics diagnostics;     // errors here make the plan not applyable
  bool applyable() const { return !diagnostics.has_errors(); }
  bool empty() const { return changes.empty(); }
};

// Pairs desired and actual by key, diffs each pair field by field, applies policies and the
// mass-delete guard, and orders the result. Pure and deterministic: no clock, no I/O.
// Never proposes to touch unmanaged rows.
Plan make_plan(const model::DesiredState& desired, const model::ActualState& actual, const PlanPolicy& policy);
// The same plan, moving the desired resources into its changes instead of copying them (for a
// caller that needs the desired state no more: a 100k-resource plan then holds one copy, not two).
// `desired.resources` keeps those not moved (the moved ones are left moved-from), for the caller to free
// when it suits it (a one-shot command: at exit).
Plan make_plan(model::DesiredState&& desired, const model::ActualState& actual, const PlanPolicy& policy);

// Field-level differences between two resources' bodies (nested objects recursed, arrays
// compared element-wise), sorted by path. Empty when equal.
std::vector<FieldChange> diff_resources(const model::Resource& before, const model::Resource& after);

}  // namespace plumb::plan
