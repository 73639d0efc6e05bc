#pragma once
#include <string>

#include "reconciler/cli/commands.hpp"
#include "reconciler/cli/inputs.hpp"
#include "reconciler/model/state.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::cli {

// The state a base Git ref declares, seen as if plumb had applied it: every resource managed.
// `plumb plan --base REF` diffs the working tree against this, offline.
model::ActualState actual_from_desired(const model::DesiredState& desired);

// Reads the base ref's manifests for `plan --base` (DIR must be inside a Git working tree).
// Error BASE_INVALID if the base itself does not validate (its diagnostics in the message).
Result<model::ActualState> actual_from_base(const InputOptions& input, const std::string& base);

// Prints diagnostics as text on stderr (used when loading fails before a plan exists).
void print_diagnostics(const GlobalOptions& global, const model::Diagnostics& diagnostics);

// Renders `plan` in `format` (text | json | markdown) for stdout.
std::string render_plan(const plan::Plan& plan, const std::string& format, bool colour);

}  // namespace plumb::cli
