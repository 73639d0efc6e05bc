#pragma once
// Small builders for plan tests: resources and states without YAML.
#include <algorithm>
#include <map>

#include "reconciler/model/state.hpp"
#include "reconciler/plan/drift.hpp"
#include "reconciler/plan/plan.hpp"

namespace plumb::testing {

inline model::Resource tenant(const std::string& name, const std::string& plan = "starter") {
  model::Resource r;
  r.key = {model::Kind::tenant, "", "", name};
  r.spec = {{"displayName", name}, {"plan", plan}, {"status", "active"}, {"adminEmail", "a@" + name + ".example"}};
  return r;
}

inline model::Resource role(const std::string& tenant_name, const std::string& name) {
  model::Resource r;
  r.key = {model::Kind::role, tenant_name, "", name};
  r.spec = {{"description", ""}, {"permissions", {"pipelines:read"}}};
  return r;
}

inline model::Resource pipeline(const std::string& t, const std::string& ws, const std::string& name) {
  model::Resource r;
  r.key = {model::Kind::pipeline, t, ws, name};
  r.spec = {{"description", ""},
            {"enabled", true},
            {"source", {{"type", "http"}, {"config", {{"url", "https://x.example"}, {"apiKey", "k1"}}}}},
            {"integrations", model::Json::array()},
            {"transformations", model::Json::array()}};
  return r;
}

inline model::Resource token(const std::string& t, const std::string& name, int rotation = 0) {
  model::Resource r;
  r.key = {model::Kind::api_token, t, "", name};
  r.spec = {{"description", ""}, {"role", "viewer"}, {"rotation", rotation}};
  return r;
}

inline model::ActualResource managed(model::Resource r) {
  model::ActualResource a;
  a.resource = std::move(r);
  a.managed = true;
  return a;
}

inline model::DesiredState desired(std::vector<model::Resource> rs) {
  std::sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return {"c0ffee", std::move(rs)};
}

inline plan::PlanPolicy policy(std::map<model::Kind, model::Policy> per_kind = {}, double fraction = 0.25,
                               bool allow_mass_delete = false) {
  plan::PlanPolicy p;
  p.per_kind = std::move(per_kind);
  p.max_delete_fraction = fraction;
  p.allow_mass_delete = allow_mass_delete;
  return p;
}

inline model::ActualState actual(std::vector<model::ActualResource> rs, std::int64_t revision = 7) {
  std::sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) { return a.resource.key < b.resource.key; });
  return {revision, std::move(rs)};
}

// A drift report as one comparable text: each item's type, key and changed field paths.
inline std::string drift_text(const plan::DriftReport& report) {
  std::string out;
  for (const auto& item : report.items) {
    out += std::string(plan::drift_type_name(item.type)) + " " + item.key.str();
    for (const auto& f : item.fields) out += " " + f.path;
    out += "\n";
  }
  return out;
}

}  // namespace plumb::testing
