#include "reconciler/load/load.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "reconciler/load/codes.hpp"
#include "reconciler/load/fields.hpp"
#include "reconciler/load/manifest.hpp"
#include "reconciler/load/schema_registry.hpp"
#include "reconciler/load/yaml_reader.hpp"
#include "reconciler/model/values.hpp"

namespace plumb::load {
namespace {

using model::Kind;
using model::ResourceKey;

// Capabilities each plan allows (DESIGN §1).
bool plan_allows(const std::string& plan, const std::string& capability) {
  static const std::map<std::string, std::set<std::string>> k_allowed = {
      {"starter", {"postgres", "storage"}},
      {"growth", {"postgres", "storage", "mongo", "kafka", "functions"}},
      {"enterprise", {"postgres", "storage", "mongo", "kafka", "functions", "identity"}},
  };
  auto it = k_allowed.find(plan);
  return it == k_allowed.end() || it->second.count(capability) > 0;  // unknown plan: already reported
}

// (tenant, name) of a workspace or role, viewing the resource's own strings: the checks below
// look up 100k references per load without copying a string.
using ScopedName = std::pair<std::string_view, std::string_view>;
struct ScopedNameHash {
  std::size_t operator()(const ScopedName& n) const {
    const std::size_t h = std::hash<std::string_view>()(n.first);
    return h ^ (std::hash<std::string_view>()(n.second) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};
using ScopedNames = std::unordered_set<ScopedName, ScopedNameHash>;

void check_token_role(const model::Resource& r, const ScopedNames& roles,
                      model::Diagnostics& diagnostics) {
  auto found = r.spec.find("role");
  if (found == r.spec.end()) return;
  const std::string& role = found->get_ref<const std::string&>();
  bool builtin = model::is_builtin_role(role) && role != "owner";
  if (role != "owner" && !builtin && !roles.count({r.key.tenant, role})) {
    diagnostics.error(codes::k_unknown_role,
                      r.key.str() + " uses role '" + role + "', which is neither built in nor declared in tenant '" +
                          r.key.tenant + "'",
                      r.source, "spec.role", "built-in roles: admin, editor, viewer, auditor");
  }
}

void check_capabilities(const model::Resource& r, const std::string& plan, model::Diagnostics& diagnostics) {
  auto found = r.spec.find("capabilities");
  if (found == r.spec.end()) return;
  for (const auto& cap : *found) {
    const std::string& capability = cap.get_ref<const std::string&>();
    if (!plan_allows(plan, capability)) {
      diagnostics.error(codes::k_capability_not_in_plan,
                        "capability '" + capability + "' is not available on the " + plan + " plan of tenant '" +
                            r.key.tenant + "'",
                        r.source, "spec.capabilities", "upgrade the tenant's plan or remove the capability");
    }
  }
}

void check_references(const std::vector<model::Resource*>& resources, model::Diagnostics& diagnostics) {
  std::unordered_map<std::string_view, std::string> tenant_plans;  // tenant -> plan ("" if invalid)
  ScopedNames workspaces;
  ScopedNames roles;
  for (const model::Resource* p : resources) {
    const model::Resource& r = *p;
    if (r.key.kind == Kind::tenant) tenant_plans[r.key.name] = r.spec.value("plan", "");
    if (r.key.kind == Kind::workspace) workspaces.insert({r.key.tenant, r.key.name});
    if (r.key.kind == Kind::role) roles.insert({r.key.tenant, r.key.name});
  }
  for (const model::Resource* p : resources) {
    const model::Resource& r = *p;
    if (r.key.kind == Kind::tenant) continue;
    auto tenant = tenant_plans.find(r.key.tenant);
    if (tenant == tenant_plans.end()) {
      diagnostics.error(codes::k_unknown_tenant,
                        r.key.str() + " refers to tenant '" + r.key.tenant + "', which is not declared",
                        r.source, "metadata.tenant", "declare the Tenant, or fix the name");
      continue;
    }
    if (r.key.kind == Kind::pipeline && !workspaces.count({r.key.tenant, r.key.workspace})) {
      diagnostics.error(codes::k_unknown_workspace,
                        r.key.str() + " refers to workspace '" + r.key.workspace + "' of tenant '" +
                            r.key.tenant + "', which is not declared",
                        r.source, "metadata.workspace");
    }
    if (r.key.kind == Kind::api_token) check_token_role(r, roles, diagnostics);
    if (r.key.kind == Kind::workspace) check_capabilities(r, tenant->second, diagnostics);
  }
}

}  // namespace

ParsedFile parse_file(const SourceFile& file, const LoadLimits& limits) {
  ParsedFile parsed;
  std::vector<YamlNode> documents = read_yaml(file.content, file.path, limits, parsed.diagnostics);
  FieldReader reader(file.path, parsed.diagnostics);
  for (const YamlNode& document : documents) {
    if (!document.is_map()) {
      reader.error(codes::k_type_mismatch,
                   "a manifest must be a mapping with apiVersion, kind, metadata and spec", document, "");
      continue;
    }
    std::size_t errors_before = parsed.diagnostics.error_count();
    auto resource = read_manifest(document, reader);
    if (!resource) continue;
    // The kind's JSON Schema is a second gate: manifest.cpp's stricter checks report first, so
    // the schema speaks only where it is stricter than they are (no duplicate messages).
    if (parsed.diagnostics.error_count() == errors_before) {
      check_schema(document, resource->key.kind, file.path, parsed.diagnostics);
    }
    parsed.resources.push_back(std::move(*resource));
  }
  return parsed;
}

std::vector<ParsedFile> parse_files(const std::vector<const SourceFile*>& files, const LoadLimits& limits) {
  // Files are independent until assemble(): results land by index, so the outcome does not
  // depend on scheduling.
  const std::size_t count = files.size();
  std::vector<ParsedFile> parsed(count);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < count; i = next++) parsed[i] = parse_file(*files[i], limits);
  };
  std::size_t workers =
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), count / 8 + 1);
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  return parsed;
}

CrossFileCheck check_across_files(std::vector<model::Resource*> resources, model::Diagnostics& diagnostics) {
  CrossFileCheck out;
  std::stable_sort(resources.begin(), resources.end(),
                   [](const model::Resource* a, const model::Resource* b) { return a->key < b->key; });
  // Identity must be unique across every file: keep the first, report each later one.
  out.kept.reserve(resources.size());
  for (model::Resource* r : resources) {
    if (!out.kept.empty() && out.kept.back()->key == r->key) {
      diagnostics.error(codes::k_duplicate_resource,
                        r->key.str() + " is declared twice (also at " + out.kept.back()->source.str() + ")",
                        r->source, "metadata.name",
                        "identity is (kind, tenant, workspace, name): rename or remove one");
      continue;
    }
    out.kept.push_back(r);
  }
  check_references(out.kept, diagnostics);
  return out;
}

LoadResult assemble(std::vector<ParsedFile> files) {
  LoadResult result;
  std::vector<model::Resource*> all;
  for (auto& f : files) {
    result.diagnostics.append(f.diagnostics);
    for (auto& r : f.resources) all.push_back(&r);
  }
  const CrossFileCheck checked = check_across_files(std::move(all), result.diagnostics);
  result.desired.resources.reserve(checked.kept.size());
  for (model::Resource* r : checked.kept) result.desired.resources.push_back(std::move(*r));
  result.diagnostics.sort();
  return result;
}

LoadResult load(std::span<const SourceFile> files, const LoadLimits& limits) {
  model::Diagnostics limit_problems;
  std::size_t count = std::min(files.size(), limits.max_files);
  if (files.size() > limits.max_files) {
    limit_problems.error(
        codes::k_too_many_files,
        std::to_string(files.size()) + " files exceed the limit of " + std::to_string(limits.max_files),
        {files[count].path, 0, 0});
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < count; ++i) {
    total += files[i].content.size();
    if (total > limits.max_total_bytes) {
      limit_problems.error(
          codes::k_total_too_large,
          "manifests exceed the total limit of " + std::to_string(limits.max_total_bytes) + " bytes",
          {files[i].path, 0, 0});
      count = i;
      break;
    }
  }

  std::vector<const SourceFile*> within_limits;
  within_limits.reserve(count);
  for (std::size_t i = 0; i < count; ++i) within_limits.push_back(&files[i]);
  LoadResult result = assemble(parse_files(within_limits, limits));
  result.diagnostics.append(limit_problems);
  result.diagnostics.sort();
  return result;
}

}  // namespace plumb::load
