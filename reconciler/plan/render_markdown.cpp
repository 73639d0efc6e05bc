#include "reconciler/plan/render_common.hpp"

namespace plumb::plan {
namespace {

constexpr std::size_t k_max_comment = 60000;  // GitHub allows 65,536 characters per comment
constexpr std::size_t k_collapse_after = 10;

std::string change_block(const Change& c) {
  std::string out = std::string(1, glyph(c.action)) + " " + c.key.str() + "    # " + c.reason + "\n";
  for (const std::string& line : field_lines(c)) out += line.substr(0, 1) + "     " + line.substr(1) + "\n";
  if (c.rotate_secret) out += "      # a new secret is minted\n";
  return out;
}

}  // namespace

std::string render_plan_markdown(const Plan& plan) {
  std::string summary = summary_line(plan);
  if (summary.rfind("Plan: ", 0) == 0) summary.erase(0, 6);
  std::string out = "<!-- plumb-plan -->\n### plumb plan: " + summary + "\n\n";
  out += "| create | update | delete | unchanged | skipped by policy |\n|---:|---:|---:|---:|---:|\n";
  out += "| " + std::to_string(plan.summary.create) + " | " + std::to_string(plan.summary.update) + " | " +
         std::to_string(plan.summary.remove) + " | " + std::to_string(plan.summary.unchanged) + " | " +
         std::to_string(plan.summary.skipped) + " |\n\n";
  out += "Computed against " + provenance(plan.commit, plan.actual_revision) + ".\n\n";
  if (!plan.applyable()) {
    out += "**This plan cannot be applied:**\n\n";
    for (const auto& d : plan.diagnostics.items()) {
      out += "- `" + d.code + "` " + d.message + (d.hint.empty() ? "" : " (" + d.hint + ")") + "\n";
    }
    out += "\n";
  }
  if (plan.changes.empty()) return out;

  bool collapse = plan.changes.size() > k_collapse_after;
  if (collapse) out += "<details><summary>Show " + std::to_string(plan.changes.size()) + " changes</summary>\n\n";
  out += "```diff\n";
  std::size_t shown = 0;
  for (const Change& c : plan.changes) {
    std::string block = change_block(c);
    if (out.size() + block.size() > k_max_comment) break;
    out += block;
    ++shown;
  }
  out += "```\n";
  if (shown < plan.changes.size()) {
    out += "\n… and " + std::to_string(plan.changes.size() - shown) +
           " more changes not shown; run `plumb plan` locally for the full plan.\n";
  }
  if (collapse) out += "\n</details>\n";
  return out;
}

std::string render_drift_markdown(const DriftReport& report) {
  std::string out = "<!-- plumb-drift -->\n### plumb drift: ";
  if (report.items.empty()) return out + "none\n\nThe database matches the desired state.\n";
  out += std::to_string(report.items.size()) + " resource(s) differ\n\n| type | resource | fields |\n|---|---|---|\n";
  std::size_t shown = 0;
  for (const DriftItem& item : report.items) {
    std::string fields;
    for (const auto& f : item.fields) fields += (fields.empty() ? "" : ", ") + std::string("`") + f.path + "`";
    std::string row = "| " + std::string(drift_type_name(item.type)) + " | `" + item.key.str() + "` | " + fields + " |\n";
    if (out.size() + row.size() > k_max_comment) break;
    out += row;
    ++shown;
  }
  if (shown < report.items.size()) {
    out += "\n… and " + std::to_string(report.items.size() - shown) + " more; run `plumb drift` for the full report.\n";
  }
  return out;
}

}  // namespace plumb::plan
