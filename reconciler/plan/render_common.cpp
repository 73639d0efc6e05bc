// Pieces shared by the text and Markdown renderers.
#include "reconciler/plan/render_common.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace plumb::plan {
namespace {

bool sensitive_key(const std::string& key) {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"secret", "password", "passwd", "token", "apikey", "api_key", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// The last segment of a field path: `spec.source.config.apiKey` -> apiKey, `x["a/b"]` -> a/b.
std::string last_segment(const std::string& path) {
  static const std::regex k_quoted(R"re(\["([^"]*)"\]$)re");
  std::smatch m;
  if (std::regex_search(path, m, k_quoted)) return m[1];
  std::string p = path;
  while (!p.empty() && p.back() == ']') p.erase(p.rfind('['));
  auto dot = p.rfind('.');
  return dot == std::string::npos ? p : p.substr(dot + 1);
}

Json redact(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& item : value.items()) {
      out[item.key()] = sensitive_key(item.key()) ? Json("(sensitive)") : redact(item.value());
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& item : value) out.push_back(redact(item));
    return out;
  }
  return value;
}

}  // namespace

std::string display_value(const std::string& path, const Json& value, std::size_t max) {
  if (sensitive_key(last_segment(path))) return "(sensitive)";
  std::string text = redact(value).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > max) text = text.substr(0, max) + "…";
  return text;
}

std::vector<std::string> field_lines(const Change& change) {
  std::vector<std::string> lines;
  if (change.action == Action::remove) return lines;
  if (change.action == Action::create && !change.reactivate) {
    // A new resource: show its declared spec, one top-level field per line.
    for (const auto& item : change.desired->spec.items()) {
      std::string path = "spec." + item.key();
      lines.push_back("+ " + path + ": " + display_value(path, item.value()));
    }
    return lines;
  }
  for (const auto& f : change.fields) {
    if (f.before && f.after) {
      lines.push_back("~ " + f.path + ": " + display_value(f.path, *f.before) + " -> " + display_value(f.path, *f.after));
    } else if (f.after) {
      lines.push_back("+ " + f.path + ": " + display_value(f.path, *f.after));
    } else if (f.before) {
      lines.push_back("- " + f.path + ": " + display_value(f.path, *f.before));
    }
  }
  return lines;
}

std::string summary_line(const Plan& plan) {
  if (plan.changes.empty() && plan.diagnostics.empty()) {
    std::string line = "No changes. The database matches the desired state.";
    if (plan.summary.skipped > 0) {
      line += " (" + std::to_string(plan.summary.skipped) + " difference(s) left alone by policy)";
    }
    return line;
  }
  return "Plan: " + std::to_string(plan.summary.create) + " to create, " + std::to_string(plan.summary.update) +
         " to update, " + std::to_string(plan.summary.remove) + " to delete (" +
         std::to_string(plan.summary.unchanged) + " unchanged, " + std::to_string(plan.summary.skipped) +
         " skipped by policy).";
}

std::string provenance(const std::string& commit, std::int64_t revision) {
  std::string out = commit.empty() ? "working directory" : "commit " + commit.substr(0, 12);
  return out + ", database revision " + std::to_string(revision);
}

}  // namespace plumb::plan
