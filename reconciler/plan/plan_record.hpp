#pragma once
// The serialised forms of plans and drift reports (STYLE §2: PlanRecord beside Plan).
//
// Plan JSON, format_version 1 (stable: fields are added, never renamed or removed):
// {
//   "format_version": 1,
//   "commit": "<git commit or empty>",
//   "actual_revision": 42,                       // apply refuses the plan if the database moved
//   "applyable": true,
//   "summary": {"create": 1, "update": 2, "delete": 0, "unchanged": 10, "skipped": 0},
//   "changes": [{
//     "action": "create|update|delete", "glyph": "+|~|-",
//     "address": "Pipeline/acme/analytics/orders",
//     "key": {"kind": "Pipeline", "tenant": "acme", "workspace": "analytics", "name": "orders"},
//     "reason": "...", "rotate_secret": false, "reactivate": false,
//     "fields": [{"path": "spec.enabled", "before": true, "after": false}],   // before/after absent when added/removed
//     "desired": <resource>,                        // create, update
//     "actual": <resource>                          // update, delete, reactivating create
//   }],
//   "diagnostics": [{"severity", "code", "message", "file", "line", "column", "path", "hint"}]
// }
// <resource> = {"kind", "tenant", "workspace", "name", "labels", "annotations", "spec",
//               "source": {"file", "line", "column"}}
// Plans never hold token secrets: ApiToken specs have none (plumb mints them at apply).
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"

namespace plumb::plan {

// Plan -> its JSON document (above).
nlohmann::json plan_to_json(const Plan& plan);

// JSON document -> Plan, validating everything: an unknown format_version, a missing or
// mistyped field, an unknown kind or action give an error message naming the place. Never
// throws: the input is a user's file (`plumb apply --plan FILE`).
tl::expected<Plan, std::string> plan_from_json(const nlohmann::json& document);

// A resource <-> its JSON form (above).
nlohmann::json resource_to_json(const model::Resource& resource);
tl::expected<model::Resource, std::string> resource_from_json(const nlohmann::json& value);

// Drift report, version 1:
// {"format_version":1,"commit","actual_revision","summary":{"missing","modified","unmanaged","orphaned"},
//  "items":[{"type","address","key":{...},"fields":[{"path","before","after"}]}]}
nlohmann::json drift_to_json(const DriftReport& report);

}  // namespace plumb::plan
