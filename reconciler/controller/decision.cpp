#include "reconciler/controller/decision.hpp"

#include "reconciler/util/crypto.hpp"

namespace plumb::controller {

std::string revision_of(const model::DesiredState& desired) {
  if (!desired.commit.empty()) return desired.commit;
  std::string all;
  for (const auto& r : desired.resources) {
    all += r.key.str();
    all += '\n';
    all += r.canonical();
    all += '\n';
  }
  return "sha256:" + crypto::sha256_hex(all);
}

Decision decide(const plan::Plan& plan, std::string_view revision, std::string_view last_synced, bool self_heal) {
  if (!plan.applyable()) return {PassAction::refuse, "the plan is not applyable"};
  if (plan.empty()) return {PassAction::nothing, "in sync"};
  if (revision != last_synced) return {PassAction::apply, "new revision"};
  if (self_heal) return {PassAction::apply, "self-heal: reverting out-of-band changes"};
  return {PassAction::report_drift, "out-of-band changes reported as drift (self-heal is off)"};
}

std::string_view pass_action_name(PassAction action) {
  switch (action) {
    case PassAction::nothing: return "nothing";
    case PassAction::apply: return "apply";
    case PassAction::report_drift: return "report_drift";
    case PassAction::refuse: return "refuse";
  }
  return "nothing";
}

}  // namespace plumb::controller
