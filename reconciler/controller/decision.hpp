#pragma once
#include <string>
#include <string_view>

#include "reconciler/model/state.hpp"
#include "reconciler/plan/plan.hpp"

namespace plumb::controller {

// The identity of a desired revision: the commit id, or for sources without commits (a plain
// directory) a digest of the canonical resources ("sha256:...").
std::string revision_of(const model::DesiredState& desired);

// What a pass does with its plan.
enum class PassAction {
  nothing,       // the database already matches Git
  apply,         // apply the plan
  report_drift,  // differences come only from out-of-band edits and self-heal is off
  refuse,        // the plan is not applyable (mass-delete guard, prevent-destroy, ...)
};

struct Decision {
  PassAction action = PassAction::nothing;
  std::string reason;  // for logs and the sync run
};

// The self-heal rule (Argo CD's automated sync, selfHeal on/off):
// - an empty plan: nothing;
// - a plan with error diagnostics: refuse;
// - a revision not yet synced (`revision` != `last_synced`: a new commit, or the first pass
//   with no successful sync on record): apply the whole plan (a revision is synced as a whole,
//   which also reverts drift of that moment);
// - the synced revision again, with differences: they came from out-of-band writes; apply only
//   with self-heal, otherwise report drift and leave the database alone.
// Pure.
Decision decide(const plan::Plan& plan, std::string_view revision, std::string_view last_synced, bool self_heal);

std::string_view pass_action_name(PassAction action);

}  // namespace plumb::controller
