#include "api/openapi.hpp"

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "embedded/plumb_api_openapi.hpp"

namespace plumb::api {
namespace {

using Json = nlohmann::json;

// Plain (unquoted) scalars follow YAML 1.2 core schema resolution; quoted ones stay strings.
Json plain_scalar(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (text == "null" || text == "~" || text.empty()) return nullptr;
  const bool numeric = !text.empty() && text.find_first_not_of("-+0123456789.eE") == std::string::npos &&
                       text.find_first_of("0123456789") != std::string::npos;
  if (numeric) {
    char* end = nullptr;
    if (text.find_first_of(".eE") == std::string::npos) {
      const long long value = std::strtoll(text.c_str(), &end, 10);
      if (end && *end == '\0') return value;
    } else {
      const double value = std::strtod(text.c_str(), &end);
      if (end && *end == '\0') return value;
    }
  }
  return text;
}

Json to_json(const YAML::Node& node, int depth) {
  if (depth > 64) throw std::runtime_error("openapi.yaml nests too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& item : node) out[item.first.Scalar()] = to_json(item.second, depth + 1);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(to_json(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? Json(node.Scalar()) : plain_scalar(node.Scalar());
    default:
      return nullptr;
  }
}

Result<Json> document() {
  for (const auto& file : plumb::api::embedded::files()) {
    if (file.path != "api/openapi.yaml") continue;
    try {
      return to_json(YAML::Load(std::string(file.content)), 0);
    } catch (const std::exception& e) {
      return make_error(ErrorKind::terminal, "OPENAPI_INVALID", std::string("api/openapi.yaml: ") + e.what());
    }
  }
  return make_error(ErrorKind::terminal, "OPENAPI_MISSING", "api/openapi.yaml was not embedded");
}

}  // namespace

Result<std::string> openapi_json() {
  auto doc = document();
  if (!doc) return tl::unexpected(doc.error());
  return doc->dump();
}

Result<std::vector<std::pair<std::string, std::string>>> openapi_operations() {
  auto doc = document();
  if (!doc) return tl::unexpected(doc.error());
  std::vector<std::pair<std::string, std::string>> ops;
  for (const auto& [path, item] : (*doc)["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      static const char* const k_methods[] = {"get", "post", "put", "patch", "delete", "head", "options"};
      if (std::find(std::begin(k_methods), std::end(k_methods), method) == std::end(k_methods)) continue;
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      ops.emplace_back(upper, path);
    }
  }
  return ops;
}

}  // namespace plumb::api
