#include "reconciler/model/resource.hpp"

namespace plumb::model {

std::string ResourceKey::str() const {
  std::string out(kind_name(kind));
  if (has_tenant(kind)) out += "/" + tenant;
  if (has_workspace(kind)) out += "/" + workspace;
  out += "/" + name;
  return out;
}

std::string SourceLocation::str() const {
  std::string out = file;
  // Appended piecewise: GCC 12 at -O3 raises a false -Wrestrict on `":" + std::to_string(n)`.
  if (line > 0) out.append(":").append(std::to_string(line));
  if (line > 0 && column > 0) out.append(":").append(std::to_string(column));
  return out;
}

Json Resource::body() const {
  return Json{{"metadata", {{"labels", labels}, {"annotations", annotations}}}, {"spec", spec}};
}

std::string Resource::canonical() const {
  // body().dump() without copying the body first: objects print their keys sorted, so
  // "annotations" comes before "labels" and "metadata" before "spec".
  std::string out = R"({"metadata":{"annotations":)";
  out += annotations.dump();
  out += R"(,"labels":)";
  out += labels.dump();
  out += R"(},"spec":)";
  out += spec.dump();
  out += '}';
  return out;
}

std::string_view policy_name(Policy policy) {
  switch (policy) {
    case Policy::full: return "full";
    case Policy::create_only: return "create-only";
    case Policy::no_delete: return "no-delete";
    case Policy::observe: return "observe";
  }
  return "full";
}

std::optional<Policy> parse_policy(std::string_view name) {
  for (Policy p : {Policy::full, Policy::create_only, Policy::no_delete, Policy::observe}) {
    if (policy_name(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<Policy> annotated_policy(const Resource& resource) {
  auto it = resource.annotations.find(std::string(k_annotation_policy));
  if (it == resource.annotations.end() || !it->is_string()) return std::nullopt;
  return parse_policy(it->get<std::string>());
}

bool prevents_destroy(const Resource& resource) {
  auto it = resource.annotations.find(std::string(k_annotation_prevent_destroy));
  return it != resource.annotations.end() && it->is_string() && it->get<std::string>() == "true";
}

}  // namespace plumb::model
