// Field-level differences between two resources (STYLE §5: pair first, then diff one pair).
#include <algorithm>
#include <cctype>

#include "reconciler/plan/plan.hpp"

namespace plumb::plan {
namespace {

bool is_identifier(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string child_path(const std::string& parent, const std::string& key) {
  if (!is_identifier(key)) return parent + "[" + Json(key).dump() + "]";
  return parent.empty() ? key : parent + "." + key;
}

void diff_values(const Json& before, const Json& after, const std::string& path, std::vector<FieldChange>& out) {
  if (before == after) return;
  if (before.is_object() && after.is_object()) {
    auto b = before.begin();
    auto a = after.begin();
    // Both objects iterate in sorted key order: merge them.
    while (b != before.end() || a != after.end()) {
      if (a == after.end() || (b != before.end() && b.key() < a.key())) {
        out.push_back({child_path(path, b.key()), *b, std::nullopt});
        ++b;
      } else if (b == before.end() || a.key() < b.key()) {
        out.push_back({child_path(path, a.key()), std::nullopt, *a});
        ++a;
      } else {
        diff_values(*b, *a, child_path(path, b.key()), out);
        ++b;
        ++a;
      }
    }
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (std::size_t i = 0; i < before.size(); ++i) {
      diff_values(before[i], after[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  out.push_back({path, before, after});
}

}  // namespace

char glyph(Action action) { return static_cast<char>(action); }

std::string_view action_name(Action action) {
  switch (action) {
    case Action::create: return "create";
    case Action::update: return "update";
    case Action::remove: return "delete";
  }
  return "create";
}

std::vector<FieldChange> diff_resources(const model::Resource& before, const model::Resource& after) {
  std::vector<FieldChange> out;
  // The parts of Resource::body() one by one, with the paths body() would give them: the same
  // changes without copying both documents for every pair (most pairs are equal).
  diff_values(before.annotations, after.annotations, "metadata.annotations", out);
  diff_values(before.labels, after.labels, "metadata.labels", out);
  diff_values(before.spec, after.spec, "spec", out);
  std::sort(out.begin(), out.end(), [](const FieldChange& x, const FieldChange& y) { return x.path < y.path; });
  return out;
}

}  // namespace plumb::plan
