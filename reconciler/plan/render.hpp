#pragma once
#include <string>

#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"

namespace plumb::plan {

// Like `terraform plan`: one block per change (`+`, `~` with `old -> new` per field, `-`), a
// summary line, then the errors that block apply. ANSI colour only if `colour`. Values under
// keys named like secret/password/token/apikey are shown as (sensitive).
std::string render_plan_text(const Plan& plan, bool colour);

// For a pull-request comment: a hidden `<!-- plumb-plan -->` marker (so CI updates one comment),
// the summary first, a table of counts, errors, then the changes in a diff block (collapsed in
// <details> past 10 changes, truncated with a note past ~60,000 characters).
std::string render_plan_markdown(const Plan& plan);

// Drift for people and for PR comments / issues.
std::string render_drift_text(const DriftReport& report, bool colour);
std::string render_drift_markdown(const DriftReport& report);

// A value as shown in a plan: compact JSON, truncated past `max` characters, redacted if `path`
// names a sensitive key. Exposed for the renderers' tests.
std::string display_value(const std::string& path, const Json& value, std::size_t max = 120);

}  // namespace plumb::plan
