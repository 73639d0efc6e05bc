#include <string_view>
#include <thread>

#include "reconciler/plan/render_common.hpp"

namespace plumb::plan {
namespace {

struct Palette {
  bool on = false;
  std::string paint(const std::string& text, const char* code) const {
    return on ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
  }
  // Appends `text`, painted, to `out` (no temporaries: a plan can have 100,000 changes).
  void paint_into(std::string& out, std::string_view text, const char* code) const {
    if (on) out.append("\033[").append(code).append("m");
    out.append(text);
    if (on) out.append("\033[0m");
  }
  const char* for_glyph(char g) const { return g == '+' ? "32" : g == '~' ? "33" : "31"; }
};

// The changes [begin, end) of a plan, as render_plan_text shows them.
std::string render_changes(const Plan& plan, std::size_t begin, std::size_t end, const Palette& p) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    const Change& c = plan.changes[i];
    const char g = glyph(c.action);
    out += "  ";
    p.paint_into(out, std::string(1, g) + " " + c.key.str(), p.for_glyph(g));
    out += "\n      ";
    p.paint_into(out, c.reason, "2");
    out += '\n';
    for (const std::string& line : field_lines(c)) {
      out += "      ";
      p.paint_into(out, std::string_view(line).substr(0, 1), p.for_glyph(line[0]));
      out.append(line, 1).append("\n");
    }
    if (c.rotate_secret) out += "      (a new secret is minted; `plumb token reveal` shows it once)\n";
  }
  return out;
}

// Plans this large render in two halves at once (a 100k-resource plan is ~1M lines).
constexpr std::size_t k_parallel_render_changes = 2000;

}  // namespace

std::string render_plan_text(const Plan& plan, bool colour) {
  const Palette p{colour};
  std::string out;
  const std::size_t n = plan.changes.size();
  if (n > 0) out += "plumb will make these changes (" + provenance(plan.commit, plan.actual_revision) + "):\n\n";
  if (n >= k_parallel_render_changes && std::thread::hardware_concurrency() > 1) {
    std::string second;
    std::thread helper([&] { second = render_changes(plan, n / 2, n, p); });
    out += render_changes(plan, 0, n / 2, p);
    helper.join();
    out += second;
  } else {
    out += render_changes(plan, 0, n, p);
  }
  if (n > 0) out += "\n";
  out += p.paint(summary_line(plan), "1") + "\n";
  for (const auto& d : plan.diagnostics.items()) {
    bool error = d.severity == model::Severity::error;
    out += "\n" + p.paint(std::string(error ? "Error" : "Warning") + "[" + d.code + "]", error ? "1;31" : "1;33") +
           ": " + d.message + "\n";
    if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  }
  if (!plan.applyable()) out += "\n" + p.paint("This plan cannot be applied.", "1;31") + "\n";
  return out;
}

std::string render_drift_text(const DriftReport& report, bool colour) {
  Palette p{colour};
  if (report.items.empty()) {
    return "No drift: the database matches the desired state (" +
           provenance(report.commit, report.actual_revision) + ").\n";
  }
  std::string out = "Drift (" + provenance(report.commit, report.actual_revision) + "):\n\n";
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const DriftItem& item : report.items) {
    ++counts[static_cast<int>(item.type)];
    std::string type(drift_type_name(item.type));
    out += "  " + p.paint(type, item.type == DriftType::modified ? "33" : "31") + "  " + item.key.str() + "\n";
    for (const auto& f : item.fields) {
      out += "      " + f.path + ": database " + (f.before ? display_value(f.path, *f.before) : "(absent)") +
             ", Git " + (f.after ? display_value(f.path, *f.after) : "(absent)") + "\n";
    }
  }
  out += "\n" + p.paint("Drift: " + std::to_string(counts[0]) + " missing, " + std::to_string(counts[1]) +
                            " modified, " + std::to_string(counts[2]) + " unmanaged, " + std::to_string(counts[3]) +
                            " orphaned.",
                        "1") +
         "\n";
  return out;
}

}  // namespace plumb::plan
