#include "reconciler/plan/plan_record.hpp"

namespace plumb::plan {
namespace {

using nlohmann::json;

json key_to_json(const model::ResourceKey& key) {
  return {{"kind", model::kind_name(key.kind)}, {"tenant", key.tenant}, {"workspace", key.workspace}, {"name", key.name}};
}

json fields_to_json(const std::vector<FieldChange>& fields) {
  json out = json::array();
  for (const auto& f : fields) {
    json item = {{"path", f.path}};
    if (f.before) item["before"] = *f.before;
    if (f.after) item["after"] = *f.after;
    out.push_back(std::move(item));
  }
  return out;
}

// Reads a typed member or records why not. Every getter leaves `error` set on failure.
class Reader {
 public:
  explicit Reader(std::string& error) : m_error(error) {}

  const json* member(const json& obj, const char* name, const std::string& where, json::value_t type,
                     bool required = true) {
    if (!m_error.empty()) return nullptr;
    if (!obj.is_object()) return fail(where + " must be an object");
    auto it = obj.find(name);
    if (it == obj.end()) return required ? fail(where + "." + name + " is missing") : nullptr;
    bool ok = it->type() == type || (type == json::value_t::number_integer && it->is_number_unsigned());
    if (!ok) return fail(where + "." + name + " has the wrong type");
    return &*it;
  }
  std::string string(const json& obj, const char* name, const std::string& where) {
    const json* v = member(obj, name, where, json::value_t::string);
    return v != nullptr ? v->get<std::string>() : std::string();
  }
  bool boolean(const json& obj, const char* name, const std::string& where) {
    const json* v = member(obj, name, where, json::value_t::boolean);
    return v != nullptr && v->get<bool>();
  }
  std::int64_t integer(const json& obj, const char* name, const std::string& where) {
    const json* v = member(obj, name, where, json::value_t::number_integer);
    return v != nullptr ? v->get<std::int64_t>() : 0;
  }
  std::nullptr_t fail(const std::string& why) {
    if (m_error.empty()) m_error = why;
    return nullptr;
  }
  bool ok() const { return m_error.empty(); }

 private:
  std::string& m_error;
};

tl::expected<model::ResourceKey, std::string> key_from_json(const json& value, const std::string& where) {
  std::string error;
  Reader r(error);
  model::ResourceKey key;
  std::string kind = r.string(value, "kind", where);
  key.tenant = r.string(value, "tenant", where);
  key.workspace = r.string(value, "workspace", where);
  key.name = r.string(value, "name", where);
  if (!r.ok()) return tl::unexpected(error);
  auto parsed = model::parse_kind(kind);
  if (!parsed) return tl::unexpected(where + ".kind '" + kind + "' is not a kind");
  key.kind = *parsed;
  if (key.name.empty() || (model::has_tenant(key.kind) == key.tenant.empty()) ||
      (model::has_workspace(key.kind) == key.workspace.empty())) {
    return tl::unexpected(where + " does not identify a " + kind + " (name, tenant, workspace)");
  }
  return key;
}

tl::expected<std::vector<FieldChange>, std::string> fields_from_json(const json& value, const std::string& where) {
  if (!value.is_array()) return tl::unexpected(where + " must be an array");
  std::vector<FieldChange> out;
  std::string error;
  Reader r(error);
  for (std::size_t i = 0; i < value.size(); ++i) {
    std::string at = where + "[" + std::to_string(i) + "]";
    FieldChange f;
    f.path = r.string(value[i], "path", at);
    if (!r.ok()) return tl::unexpected(error);
    if (auto it = value[i].find("before"); it != value[i].end()) f.before = *it;
    if (auto it = value[i].find("after"); it != value[i].end()) f.after = *it;
    out.push_back(std::move(f));
  }
  return out;
}

tl::expected<Change, std::string> change_from_json(const json& value, const std::string& where) {
  std::string error;
  Reader r(error);
  Change change;
  std::string action = r.string(value, "action", where);
  const json* key = r.member(value, "key", where, json::value_t::object);
  change.reason = r.string(value, "reason", where);
  change.rotate_secret = r.boolean(value, "rotate_secret", where);
  change.reactivate = r.boolean(value, "reactivate", where);
  const json* fields = r.member(value, "fields", where, json::value_t::array);
  if (!r.ok()) return tl::unexpected(error);
  if (action == "create") change.action = Action::create;
  else if (action == "update") change.action = Action::update;
  else if (action == "delete") change.action = Action::remove;
  else return tl::unexpected(where + ".action '" + action + "' is not create, update or delete");
  auto k = key_from_json(*key, where + ".key");
  if (!k) return tl::unexpected(k.error());
  change.key = *k;
  auto f = fields_from_json(*fields, where + ".fields");
  if (!f) return tl::unexpected(f.error());
  change.fields = std::move(*f);
  for (const char* side : {"desired", "actual"}) {
    auto it = value.find(side);
    if (it == value.end()) continue;
    auto resource = resource_from_json(*it);
    if (!resource) return tl::unexpected(where + "." + side + ": " + resource.error());
    if (!(resource->key == change.key)) return tl::unexpected(where + "." + side + " is not the change's resource");
    (std::string(side) == "desired" ? change.desired : change.actual) = std::move(*resource);
  }
  bool needs_desired = change.action != Action::remove;
  if (needs_desired != change.desired.has_value() || (change.action != Action::create && !change.actual)) {
    return tl::unexpected(where + " lacks the desired/actual resource its action needs");
  }
  return change;
}

}  // namespace

json resource_to_json(const model::Resource& r) {
  return {{"kind", model::kind_name(r.key.kind)},
          {"tenant", r.key.tenant},
          {"workspace", r.key.workspace},
          {"name", r.key.name},
          {"labels", r.labels},
          {"annotations", r.annotations},
          {"spec", r.spec},
          {"source", {{"file", r.source.file}, {"line", r.source.line}, {"column", r.source.column}}}};
}

tl::expected<model::Resource, std::string> resource_from_json(const json& value) {
  auto key = key_from_json(value, "resource");
  if (!key) return tl::unexpected(key.error());
  std::string error;
  Reader r(error);
  model::Resource resource;
  resource.key = *key;
  const json* labels = r.member(value, "labels", "resource", json::value_t::object);
  const json* annotations = r.member(value, "annotations", "resource", json::value_t::object);
  const json* spec = r.member(value, "spec", "resource", json::value_t::object);
  const json* source = r.member(value, "source", "resource", json::value_t::object, false);
  if (!r.ok()) return tl::unexpected(error);
  for (const json* map : {labels, annotations}) {
    for (const auto& item : map->items()) {
      if (!item.value().is_string()) return tl::unexpected(std::string("labels and annotations must map strings to strings"));
    }
  }
  resource.labels = *labels;
  resource.annotations = *annotations;
  resource.spec = *spec;
  if (source != nullptr) {
    resource.source.file = r.string(*source, "file", "resource.source");
    resource.source.line = static_cast<int>(r.integer(*source, "line", "resource.source"));
    resource.source.column = static_cast<int>(r.integer(*source, "column", "resource.source"));
    if (!r.ok()) return tl::unexpected(error);
  }
  return resource;
}

json plan_to_json(const Plan& plan) {
  json changes = json::array();
  for (const auto& c : plan.changes) {
    json item = {{"action", action_name(c.action)},
                 {"glyph", std::string(1, glyph(c.action))},
                 {"address", c.key.str()},
                 {"key", key_to_json(c.key)},
                 {"reason", c.reason},
                 {"rotate_secret", c.rotate_secret},
                 {"reactivate", c.reactivate},
                 {"fields", fields_to_json(c.fields)}};
    if (c.desired) item["desired"] = resource_to_json(*c.desired);
    if (c.actual) item["actual"] = resource_to_json(*c.actual);
    changes.push_back(std::move(item));
  }
  json diagnostics = json::array();
  for (const auto& d : plan.diagnostics.items()) {
    diagnostics.push_back({{"severity", model::severity_name(d.severity)}, {"code", d.code}, {"message", d.message},
                           {"file", d.location.file}, {"line", d.location.line}, {"column", d.location.column},
                           {"path", d.path}, {"hint", d.hint}});
  }
  return {{"format_version", Plan::k_format_version},
          {"commit", plan.commit},
          {"actual_revision", plan.actual_revision},
          {"applyable", plan.applyable()},
          {"summary",
           {{"create", plan.summary.create}, {"update", plan.summary.update}, {"delete", plan.summary.remove},
            {"unchanged", plan.summary.unchanged}, {"skipped", plan.summary.skipped}}},
          {"changes", changes},
          {"diagnostics", diagnostics}};
}

tl::expected<Plan, std::string> plan_from_json(const json& document) {
  std::string error;
  Reader r(error);
  if (!document.is_object()) return tl::unexpected(std::string("a plan must be a JSON object"));
  std::int64_t version = r.integer(document, "format_version", "plan");
  if (r.ok() && version != Plan::k_format_version) {
    return tl::unexpected("plan format_version " + std::to_string(version) + " is not supported (expected " +
                          std::to_string(Plan::k_format_version) + ")");
  }
  Plan plan;
  plan.commit = r.string(document, "commit", "plan");
  plan.actual_revision = r.integer(document, "actual_revision", "plan");
  const json* summary = r.member(document, "summary", "plan", json::value_t::object);
  const json* changes = r.member(document, "changes", "plan", json::value_t::array);
  const json* diagnostics = r.member(document, "diagnostics", "plan", json::value_t::array);
  if (!r.ok()) return tl::unexpected(error);
  plan.summary.create = static_cast<std::size_t>(r.integer(*summary, "create", "plan.summary"));
  plan.summary.update = static_cast<std::size_t>(r.integer(*summary, "update", "plan.summary"));
  plan.summary.remove = static_cast<std::size_t>(r.integer(*summary, "delete", "plan.summary"));
  plan.summary.unchanged = static_cast<std::size_t>(r.integer(*summary, "unchanged", "plan.summary"));
  plan.summary.skipped = static_cast<std::size_t>(r.integer(*summary, "skipped", "plan.summary"));
  if (!r.ok()) return tl::unexpected(error);
  for (std::size_t i = 0; i < changes->size(); ++i) {
    auto change = change_from_json((*changes)[i], "plan.changes[" + std::to_string(i) + "]");
    if (!change) return tl::unexpected(change.error());
    plan.changes.push_back(std::move(*change));
  }
  for (std::size_t i = 0; i < diagnostics->size(); ++i) {
    std::string at = "plan.diagnostics[" + std::to_string(i) + "]";
    const json& d = (*diagnostics)[i];
    model::Diagnostic diag;
    std::string severity = r.string(d, "severity", at);
    diag.severity = severity == "warning" ? model::Severity::warning : model::Severity::error;
    diag.code = r.string(d, "code", at);
    diag.message = r.string(d, "message", at);
    diag.location.file = r.string(d, "file", at);
    diag.location.line = static_cast<int>(r.integer(d, "line", at));
    diag.location.column = static_cast<int>(r.integer(d, "column", at));
    diag.path = r.string(d, "path", at);
    diag.hint = r.string(d, "hint", at);
    if (!r.ok()) return tl::unexpected(error);
    plan.diagnostics.add(std::move(diag));
  }
  return plan;
}

json drift_to_json(const DriftReport& report) {
  json items = json::array();
  json summary = {{"missing", 0}, {"modified", 0}, {"unmanaged", 0}, {"orphaned", 0}};
  for (const auto& item : report.items) {
    std::string type(drift_type_name(item.type));
    summary[type] = summary[type].get<int>() + 1;
    items.push_back({{"type", type}, {"address", item.key.str()}, {"key", key_to_json(item.key)},
                     {"fields", fields_to_json(item.fields)}});
  }
  return {{"format_version", 1},
          {"commit", report.commit},
          {"actual_revision", report.actual_revision},
          {"summary", summary},
          {"items", items}};
}

}  // namespace plumb::plan
