#pragma once
#include <string>
#include <vector>

#include "reconciler/cli/commands.hpp"
#include "reconciler/load/load.hpp"
#include "reconciler/plan/plan.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::cli {

// The manifests of a command's input, loaded and validated: from the directory DIR, or from a
// Git repository with --repo/--ref/--path. Refused files (symlinks, too large) are diagnostics.
// Fails only when the input cannot be read at all (missing directory, unreachable repository).
struct LoadedInput {
  load::LoadResult result;
  std::size_t file_count = 0;
};
Result<LoadedInput> load_input(const InputOptions& input);

// Load limits from the command line.
load::LoadLimits limits_for(const InputOptions& input);

// PlanPolicy from `--policy KIND=POLICY` flags, the delete fraction and --allow-mass-delete.
// Error (terminal, code BAD_POLICY) names the bad flag and the allowed values.
Result<plan::PlanPolicy> policy_from_flags(const std::vector<std::string>& flags, double max_delete_fraction,
                                           bool allow_mass_delete);

}  // namespace plumb::cli
