// Pieces shared by the text and Markdown renderers.
#include "reconciler/plan/render_common.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace plumb::plan {
namespace {

bool sensitive_key(std::string_view key) {
  // Lower-cased into a buffer on the stack: this runs on every key of every value shown.
  std::array<char, 96> buffer{};
  std::string long_key;
  std::string_view lower;
  if (key.size() <= buffer.size()) {
    std::transform(key.begin(), key.end(), buffer.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    lower = std::string_view(buffer.data(), key.size());
  } else {
    long_key.resize(key.size());
    std::transform(key.begin(), key.end(), long_key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    lower = long_key;
  }
  for (std::string_view word : {"secret", "password", "passwd", "token", "apikey", "api_key", "credential"}) {
    if (lower.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// The last segment of a field path: `spec.source.config.apiKey` -> apiKey, `x["a/b"]` -> a/b,
// `spec.integrations[2]` -> integrations.
std::string_view last_segment(std::string_view path) {
  if (path.size() >= 4 && path.substr(path.size() - 2) == "\"]") {
    const auto open = path.rfind("[\"", path.size() - 3);
    if (open != std::string_view::npos) {
      const std::string_view quoted = path.substr(open + 2, path.size() - 2 - (open + 2));
      if (quoted.find('"') == std::string_view::npos) return quoted;
    }
  }
  while (!path.empty() && path.back() == ']') {
    const auto open = path.rfind('[');
    if (open == std::string_view::npos) break;
    path = path.substr(0, open);
  }
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

// True if some key inside `value` names a secret (most values have none: they are shown as they are).
bool has_sensitive_key(const Json& value) {
  if (value.is_object()) {
    for (const auto& item : value.items()) {
      if (sensitive_key(item.key()) || has_sensitive_key(item.value())) return true;
    }
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (has_sensitive_key(item)) return true;
    }
  }
  return false;
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
  auto dump = [](const Json& shown) { return shown.dump(-1, ' ', false, Json::error_handler_t::replace); };
  std::string text = has_sensitive_key(value) ? dump(redact(value)) : dump(value);
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
