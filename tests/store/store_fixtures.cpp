#include "tests/store/store_fixtures.hpp"

#include <algorithm>
#include <map>

#include "tests/support/pg_harness.hpp"

namespace plumb::store::testing {

using model::Json;
using model::Kind;

TestDb fresh_store() {
  const std::string url = plumb::testing::fresh_database();
  must(migrate(url));
  return TestDb{url, must(Store::open(url))};
}

void must(Result<void> result) {
  if (!result) FAIL(result.error().code + ": " + result.error().message);
}

namespace {
model::Resource make(Kind kind, std::string tenant_name, std::string ws, std::string name, Json spec) {
  model::Resource r;
  r.key = {kind, std::move(tenant_name), std::move(ws), std::move(name)};
  r.spec = std::move(spec);
  r.labels = {{"team", "data"}};
  r.source.file = "config/" + r.key.name + ".yaml";
  r.source.line = 1;
  r.source.column = 1;
  return r;
}
}  // namespace

model::Resource tenant(const std::string& name, const std::string& plan) {
  return make(Kind::tenant, "", "", name,
              {{"displayName", name + " Inc"},
               {"plan", plan},
               {"status", "active"},
               {"adminEmail", "admin@" + name + ".example.com"}});
}

model::Resource role(const std::string& t, const std::string& name, std::vector<std::string> permissions) {
  std::sort(permissions.begin(), permissions.end());
  return make(Kind::role, t, "", name, {{"description", "a role"}, {"permissions", permissions}});
}

model::Resource workspace(const std::string& t, const std::string& name, std::vector<std::string> caps) {
  std::sort(caps.begin(), caps.end());
  return make(Kind::workspace, t, "", name, {{"displayName", "WS " + name}, {"capabilities", caps}});
}

model::Resource pipeline(const std::string& t, const std::string& ws, const std::string& name) {
  return make(
      Kind::pipeline, t, ws, name,
      {{"description", ""},
       {"enabled", true},
       {"source", {{"type", "http"}, {"config", {{"url", "https://example.com/in"}}}}},
       {"integrations", Json::array({{{"name", "slack"}, {"revision", 2}, {"config", Json::object()}}})},
       {"transformations",
        Json::array({{{"name", "f"}, {"type", "filter"}, {"config", {{"expr", "x > 1"}}}}})}});
}

model::Resource token(const std::string& t, const std::string& name, const std::string& role_name,
                      const std::string& ttl, const std::string& expires_at) {
  Json spec = {{"description", ""}, {"role", role_name}, {"rotation", 0}};
  if (!ttl.empty()) spec["ttl"] = ttl;
  if (!expires_at.empty()) spec["expiresAt"] = expires_at;
  return make(Kind::api_token, t, "", name, spec);
}

plan::Plan simple_plan(const std::vector<model::Resource>& desired, const model::ActualState& actual) {
  plan::Plan p;
  p.actual_revision = actual.revision;
  std::map<model::ResourceKey, const model::ActualResource*> by_key;
  for (const auto& a : actual.resources) by_key[a.resource.key] = &a;
  std::vector<model::Resource> sorted = desired;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  std::vector<plan::Change> updates, removes;
  for (const auto& d : sorted) {
    auto it = by_key.find(d.key);
    plan::Change c;
    c.key = d.key;
    c.desired = d;
    if (it == by_key.end() || it->second->deleted) {
      c.action = plan::Action::create;
      c.rotate_secret = d.key.kind == Kind::api_token;
      c.reactivate = it != by_key.end();
      p.changes.push_back(std::move(c));
    } else if (it->second->resource.body() != d.body()) {
      c.action = plan::Action::update;
      c.actual = it->second->resource;
      c.rotate_secret = d.key.kind == Kind::api_token &&
                        d.spec.value("rotation", 0) > it->second->resource.spec.value("rotation", 0);
      updates.push_back(std::move(c));
    }
    if (it != by_key.end()) by_key.erase(it);
  }
  for (const auto& [key, a] : by_key) {
    if (!a->managed || a->deleted) continue;
    plan::Change c;
    c.action = plan::Action::remove;
    c.key = key;
    c.actual = a->resource;
    removes.push_back(std::move(c));
  }
  std::reverse(removes.begin(), removes.end());
  for (auto& c : updates) p.changes.push_back(std::move(c));
  for (auto& c : removes) p.changes.push_back(std::move(c));
  for (const auto& c : p.changes) {
    if (c.action == plan::Action::create) ++p.summary.create;
    if (c.action == plan::Action::update) ++p.summary.update;
    if (c.action == plan::Action::remove) ++p.summary.remove;
  }
  return p;
}

std::vector<model::Resource> live(const model::ActualState& actual) {
  std::vector<model::Resource> out;
  for (const auto& a : actual.resources) {
    if (!a.deleted) out.push_back(a.resource);
  }
  return out;
}

}  // namespace plumb::store::testing
