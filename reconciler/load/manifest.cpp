#include "reconciler/load/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "reconciler/load/codes.hpp"
#include "reconciler/model/values.hpp"
#include "reconciler/util/token_format.hpp"

namespace plumb::load {
namespace {

using model::Json;
using model::Kind;

constexpr std::size_t k_max_display_name = 200;
constexpr std::size_t k_max_description = 2000;
constexpr std::size_t k_max_token_description = 500;

bool is_token_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 128) return false;
  auto ok = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'; };
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return alnum(name.front()) && alnum(name.back()) && std::all_of(name.begin(), name.end(), ok);
}

bool is_email(std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.size() > 254 || email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
  auto local_ok = [](char c) { return c > ' ' && c != '<' && c != '>' && c != '(' && c != ')' && c != ',' && c != ';'; };
  auto domain_ok = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'; };
  return std::all_of(email.begin(), email.begin() + static_cast<long>(at), local_ok) &&
         std::all_of(domain.begin(), domain.end(), domain_ok);
}

std::string join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

class ManifestReader {
 public:
  ManifestReader(const YamlNode& doc, FieldReader& reader) : m_doc(doc), m_r(reader) {}

  std::optional<model::Resource> read();

 private:
  bool read_header();
  bool read_metadata(const YamlNode& metadata);
  void read_spec(const YamlNode& spec);
  void tenant_spec(const YamlNode& spec);
  void workspace_spec(const YamlNode& spec);
  void pipeline_spec(const YamlNode& spec);
  void role_spec(const YamlNode& spec);
  void token_spec(const YamlNode& spec);

  // Checked helpers.
  std::optional<std::string> enum_field(const YamlNode& map, std::string_view key, const std::string& path,
                                        bool required, std::initializer_list<std::string_view> allowed);
  std::optional<std::string> bounded_string(const YamlNode& map, std::string_view key, const std::string& path,
                                            bool required, std::size_t max);
  Json string_set(const YamlNode& map, std::string_view key, const std::string& path, bool required,
                  const std::function<bool(const std::string&, const YamlNode&, const std::string&)>& check);
  std::optional<std::string> slug(const YamlNode& map, std::string_view key, const std::string& path);
  Json config(const YamlNode& map, const std::string& path);

  const YamlNode& m_doc;
  FieldReader& m_r;
  model::Resource m_resource;
};

std::optional<std::string> ManifestReader::enum_field(const YamlNode& map, std::string_view key,
                                                      const std::string& path, bool required,
                                                      std::initializer_list<std::string_view> allowed) {
  auto value = m_r.string(map, key, path, required);
  if (!value) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) return value;
  std::string suggestion = closest(*value, allowed);
  m_r.error(codes::k_invalid_value, "'" + *value + "' is not one of: " + join(allowed), *map.find(key),
            join_path(path, key), suggestion.empty() ? "" : "did you mean `" + suggestion + "`?");
  return std::nullopt;
}

std::optional<std::string> ManifestReader::bounded_string(const YamlNode& map, std::string_view key,
                                                          const std::string& path, bool required, std::size_t max) {
  auto value = m_r.string(map, key, path, required);
  if (value && value->size() > max) {
    m_r.error(codes::k_too_long, std::string(key) + " is " + std::to_string(value->size()) +
                                     " characters, over the limit of " + std::to_string(max),
              *map.find(key), join_path(path, key));
    return std::nullopt;
  }
  if (value && required && value->empty()) {
    m_r.error(codes::k_missing_field, std::string(key) + " must not be empty", *map.find(key), join_path(path, key));
    return std::nullopt;
  }
  return value;
}

Json ManifestReader::string_set(const YamlNode& map, std::string_view key, const std::string& path, bool required,
                                const std::function<bool(const std::string&, const YamlNode&, const std::string&)>& check) {
  Json out = Json::array();
  const YamlNode* list = map.find(key);
  std::string field = join_path(path, key);
  if (list == nullptr) {
    if (required) m_r.error(codes::k_missing_field, "missing required field '" + std::string(key) + "'", map, field);
    return out;
  }
  if (!list->is_sequence()) {
    m_r.error(codes::k_type_mismatch, "expected a list, found " + std::string(describe(*list)), *list, field);
    return out;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const YamlNode& item = list->items[i];
    std::string item_path = index_path(field, i);
    auto value = m_r.as_string(item, item_path);
    if (!value || !check(*value, item, item_path)) continue;
    if (!seen.insert(*value).second) {
      m_r.error(codes::k_duplicate_item, "'" + *value + "' is listed twice", item, item_path);
    }
  }
  for (const auto& v : seen) out.push_back(v);  // a set: canonical order is sorted
  return out;
}

std::optional<std::string> ManifestReader::slug(const YamlNode& map, std::string_view key, const std::string& path) {
  auto value = m_r.string(map, key, path, true);
  if (value && !model::is_slug(*value)) {
    m_r.error(codes::k_invalid_name,
              "'" + *value + "' is not a valid name: lower-case letters, digits and '-', 1 or 3-63 characters, "
              "starting and ending with a letter or digit",
              *map.find(key), join_path(path, key));
    return std::nullopt;
  }
  return value;
}

Json ManifestReader::config(const YamlNode& map, const std::string& path) {
  const YamlNode* node = map.find("config");
  if (node == nullptr || node->is_null()) return Json::object();
  std::string field = join_path(path, "config");
  if (!node->is_map()) {
    m_r.error(codes::k_type_mismatch, "config must be a mapping, found " + std::string(describe(*node)), *node, field);
    return Json::object();
  }
  return m_r.free_form(*node, field);
}

bool ManifestReader::read_header() {
  if (!m_r.expect_map(m_doc, "", {"apiVersion", "kind", "metadata", "spec"})) return false;
  auto api = m_r.string(m_doc, "apiVersion", "", true);
  if (api && *api != k_api_version) {
    m_r.error(codes::k_unsupported_api_version, "apiVersion '" + *api + "' is not supported", *m_doc.find("apiVersion"),
              "apiVersion", "use apiVersion: plumb.dev/v1");
  }
  auto kind_text = m_r.string(m_doc, "kind", "", true);
  if (!kind_text) return false;
  auto kind = model::parse_kind(*kind_text);
  if (!kind) {
    std::string suggestion = closest(*kind_text, {"Tenant", "Workspace", "Pipeline", "Role", "ApiToken"});
    m_r.error(codes::k_unknown_kind, "unknown kind '" + *kind_text + "' (Tenant, Workspace, Pipeline, Role, ApiToken)",
              *m_doc.find("kind"), "kind", suggestion.empty() ? "" : "did you mean `" + suggestion + "`?");
    return false;
  }
  m_resource.key.kind = *kind;
  const YamlNode* kind_key = m_doc.find_key("kind");
  m_resource.source = m_r.where(*kind_key);
  return true;
}

bool ManifestReader::read_metadata(const YamlNode& metadata) {
  Kind kind = m_resource.key.kind;
  bool ok = kind == Kind::tenant      ? m_r.expect_map(metadata, "metadata", {"name", "labels", "annotations"})
            : kind == Kind::pipeline  ? m_r.expect_map(metadata, "metadata",
                                                       {"name", "tenant", "workspace", "labels", "annotations"})
                                      : m_r.expect_map(metadata, "metadata", {"name", "tenant", "labels", "annotations"});
  if (!ok) return false;
  std::optional<std::string> name;
  if (kind == Kind::api_token) {
    name = m_r.string(metadata, "name", "metadata", true);
    if (name && !is_token_name(*name)) {
      m_r.error(codes::k_invalid_name,
                "token name '" + *name + "' must be 3-128 characters of a-z, 0-9, '.', '_' and '-', "
                "starting and ending with a letter or digit",
                *metadata.find("name"), "metadata.name");
      name.reset();
    }
  } else {
    name = slug(metadata, "name", "metadata");
  }
  std::optional<std::string> tenant = model::has_tenant(kind) ? slug(metadata, "tenant", "metadata") : std::string();
  std::optional<std::string> workspace =
      model::has_workspace(kind) ? slug(metadata, "workspace", "metadata") : std::string();
  m_resource.labels = m_r.string_map(metadata.find("labels"), "metadata.labels");
  m_resource.annotations = m_r.string_map(metadata.find("annotations"), "metadata.annotations");
  auto policy = m_resource.annotations.find(std::string(model::k_annotation_policy));
  if (policy != m_resource.annotations.end() && !model::parse_policy(policy->get<std::string>())) {
    const YamlNode* at = metadata.find("annotations");
    m_r.error(codes::k_invalid_policy, "policy '" + policy->get<std::string>() + "' is not one of: full, create-only, no-delete, observe",
              *at, "metadata.annotations[\"plumb.dev/policy\"]");
  }
  if (!name || !tenant || !workspace) return false;
  m_resource.key.name = *name;
  m_resource.key.tenant = *tenant;
  m_resource.key.workspace = *workspace;
  return true;
}

void ManifestReader::tenant_spec(const YamlNode& spec) {
  if (!m_r.expect_map(spec, "spec", {"displayName", "plan", "status", "adminEmail"})) return;
  Json& out = m_resource.spec;
  if (auto v = bounded_string(spec, "displayName", "spec", true, k_max_display_name)) out["displayName"] = *v;
  if (auto v = enum_field(spec, "plan", "spec", true, {"starter", "growth", "enterprise"})) out["plan"] = *v;
  out["status"] = enum_field(spec, "status", "spec", false, {"active", "suspended"}).value_or("active");
  if (auto v = m_r.string(spec, "adminEmail", "spec", true)) {
    if (is_email(*v)) {
      out["adminEmail"] = *v;
    } else {
      m_r.error(codes::k_invalid_email, "'" + *v + "' is not an e-mail address", *spec.find("adminEmail"),
                "spec.adminEmail");
    }
  }
}

void ManifestReader::workspace_spec(const YamlNode& spec) {
  if (!m_r.expect_map(spec, "spec", {"displayName", "capabilities"})) return;
  Json& out = m_resource.spec;
  if (auto v = bounded_string(spec, "displayName", "spec", true, k_max_display_name)) out["displayName"] = *v;
  out["capabilities"] = string_set(spec, "capabilities", "spec", false,
                                   [&](const std::string& value, const YamlNode& item, const std::string& path) {
                                     static constexpr std::string_view k_caps[] = {"postgres", "mongo", "kafka",
                                                                                   "storage", "functions", "identity"};
                                     if (std::find(std::begin(k_caps), std::end(k_caps), value) != std::end(k_caps)) {
                                       return true;
                                     }
                                     m_r.error(codes::k_invalid_value,
                                               "'" + value +
                                                   "' is not a capability: postgres, mongo, kafka, storage, "
                                                   "functions, identity",
                                               item, path);
                                     return false;
                                   });
}

void ManifestReader::pipeline_spec(const YamlNode& spec) {
  if (!m_r.expect_map(spec, "spec", {"description", "enabled", "source", "integrations", "transformations"})) return;
  Json& out = m_resource.spec;
  out["description"] = bounded_string(spec, "description", "spec", false, k_max_description).value_or("");
  out["enabled"] = m_r.boolean(spec, "enabled", "spec").value_or(true);
  const YamlNode* source = spec.find("source");
  if (source == nullptr) {
    m_r.error(codes::k_missing_field, "missing required field 'source'", spec, "spec.source");
  } else if (m_r.expect_map(*source, "spec.source", {"type", "config"})) {
    Json src = {{"config", config(*source, "spec.source")}};
    if (auto t = enum_field(*source, "type", "spec.source", true,
                            {"http", "kafka", "postgres", "mongo", "storage", "webhook"})) {
      src["type"] = *t;
    }
    out["source"] = src;
  }
  out["integrations"] = Json::array();
  if (const YamlNode* list = spec.find("integrations"); list != nullptr && !list->is_null()) {
    if (!list->is_sequence()) {
      m_r.error(codes::k_type_mismatch, "integrations must be a list", *list, "spec.integrations");
    } else {
      for (std::size_t i = 0; i < list->items.size(); ++i) {
        std::string path = index_path("spec.integrations", i);
        const YamlNode& item = list->items[i];
        if (!m_r.expect_map(item, path, {"name", "revision", "config"})) continue;
        Json entry = {{"config", config(item, path)}};
        if (auto n = slug(item, "name", path)) entry["name"] = *n;
        if (auto rev = m_r.integer(item, "revision", path, true)) {
          if (*rev < 1) {
            m_r.error(codes::k_out_of_range, "revision must be a positive integer", *item.find("revision"),
                      join_path(path, "revision"));
          }
          entry["revision"] = *rev;
        }
        out["integrations"].push_back(entry);
      }
    }
  }
  out["transformations"] = Json::array();
  if (const YamlNode* list = spec.find("transformations"); list != nullptr && !list->is_null()) {
    if (!list->is_sequence()) {
      m_r.error(codes::k_type_mismatch, "transformations must be a list", *list, "spec.transformations");
    } else {
      for (std::size_t i = 0; i < list->items.size(); ++i) {
        std::string path = index_path("spec.transformations", i);
        const YamlNode& item = list->items[i];
        if (!m_r.expect_map(item, path, {"name", "type", "config"})) continue;
        Json entry = {{"config", config(item, path)}};
        if (auto n = slug(item, "name", path)) entry["name"] = *n;
        if (auto t = enum_field(item, "type", path, true, {"filter", "map", "enrich", "script"})) entry["type"] = *t;
        out["transformations"].push_back(entry);
      }
    }
  }
}

void ManifestReader::role_spec(const YamlNode& spec) {
  if (model::is_builtin_role(m_resource.key.name)) {
    m_r.error(codes::k_builtin_role,
              "'" + m_resource.key.name + "' is a built-in role (owner, admin, editor, viewer, auditor) in every tenant",
              m_doc, "metadata.name", "choose another name; built-in roles need no declaration");
  }
  if (!m_r.expect_map(spec, "spec", {"description", "permissions"})) return;
  Json& out = m_resource.spec;
  out["description"] = bounded_string(spec, "description", "spec", false, k_max_description).value_or("");
  out["permissions"] = string_set(spec, "permissions", "spec", true,
                                  [&](const std::string& value, const YamlNode& item, const std::string& path) {
                                    if (model::is_permission(value)) return true;
                                    m_r.error(codes::k_invalid_permission,
                                              "'" + value + "' is not a permission resource:action",
                                              item, path,
                                              "resources: tenants, workspaces, pipelines, roles, tokens, drift, "
                                              "syncs, audit, *; actions: read, write, trigger, reveal, *");
                                    return false;
                                  });
}

void ManifestReader::token_spec(const YamlNode& spec) {
  if (!m_r.expect_map(spec, "spec", {"description", "role", "expiresAt", "ttl", "rotation"})) return;
  Json& out = m_resource.spec;
  out["description"] = bounded_string(spec, "description", "spec", false, k_max_token_description).value_or("");
  if (auto role = m_r.string(spec, "role", "spec", true)) {
    if (*role == "owner") {
      m_r.error(codes::k_owner_not_assignable, "the owner role can never be given to an API token", *spec.find("role"),
                "spec.role", "use admin, editor, viewer, auditor or a custom role");
    }
    out["role"] = *role;
  }
  if (spec.find("expiresAt") != nullptr && spec.find("ttl") != nullptr) {
    m_r.error(codes::k_conflicting_fields, "expiresAt and ttl are mutually exclusive", *spec.find_key("ttl"), "spec.ttl",
              "keep one of them");
  }
  if (auto at = m_r.string(spec, "expiresAt", "spec", false)) {
    if (auto normal = model::normalize_timestamp(*at)) {
      out["expiresAt"] = *normal;
    } else {
      m_r.error(codes::k_invalid_timestamp, "'" + *at + "' is not an RFC 3339 timestamp", *spec.find("expiresAt"),
                "spec.expiresAt", "for example \"2027-06-30T23:59:59Z\"");
    }
  }
  if (auto ttl = m_r.string(spec, "ttl", "spec", false)) {
    if (model::parse_duration(*ttl)) {
      out["ttl"] = *ttl;
    } else {
      m_r.error(codes::k_invalid_duration, "'" + *ttl + "' is not a duration", *spec.find("ttl"), "spec.ttl",
                "for example 720h, 90m or 1h30m");
    }
  }
  auto rotation = m_r.integer(spec, "rotation", "spec", false);
  if (rotation && *rotation < 0) {
    m_r.error(codes::k_out_of_range, "rotation must be 0 or more", *spec.find("rotation"), "spec.rotation");
  }
  out["rotation"] = rotation.value_or(0);
}

void ManifestReader::read_spec(const YamlNode& spec) {
  switch (m_resource.key.kind) {
    case Kind::tenant: return tenant_spec(spec);
    case Kind::workspace: return workspace_spec(spec);
    case Kind::pipeline: return pipeline_spec(spec);
    case Kind::role: return role_spec(spec);
    case Kind::api_token: return token_spec(spec);
  }
}

std::optional<model::Resource> ManifestReader::read() {
  if (!read_header()) return std::nullopt;
  const YamlNode* metadata = m_doc.find("metadata");
  if (metadata == nullptr) {
    m_r.error(codes::k_missing_field, "missing required field 'metadata'", m_doc, "metadata");
    return std::nullopt;
  }
  bool identity = read_metadata(*metadata);
  const YamlNode* spec = m_doc.find("spec");
  if (spec == nullptr) {
    m_r.error(codes::k_missing_field, "missing required field 'spec'", m_doc, "spec");
  } else if (identity) {
    read_spec(*spec);
  }
  if (!identity) return std::nullopt;
  return m_resource;
}

}  // namespace

namespace {

void scan_for_secrets(const YamlNode& node, FieldReader& reader, const std::string& root, const PathLink* at) {
  if (node.is_scalar() && token_format::contains_token_shape(node.value)) {
    reader.error(codes::k_secret_in_manifest,
                 "this value looks like a plumb token secret: secrets never live in Git", node, spell(at, root),
                 "remove it now and rotate the token (bump spec.rotation); plumb mints secrets itself");
    return;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const PathLink link{at, {}, i, true};
    scan_for_secrets(node.items[i], reader, root, &link);
  }
  for (const auto& [key, value] : node.entries) {
    const PathLink link{at, key.value, 0, false};
    scan_for_secrets(key, reader, root, &link);
    scan_for_secrets(value, reader, root, &link);
  }
}

}  // namespace

void check_no_secrets(const YamlNode& node, FieldReader& reader, const std::string& path) {
  scan_for_secrets(node, reader, path, nullptr);
}

std::optional<model::Resource> read_manifest(const YamlNode& document, FieldReader& reader) {
  check_no_secrets(document, reader, "");
  return ManifestReader(document, reader).read();
}

}  // namespace plumb::load
