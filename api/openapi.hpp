#pragma once
#include <string>
#include <vector>

#include "reconciler/util/error.hpp"

namespace plumb::api {

// The OpenAPI document (api/openapi.yaml, embedded at build time) converted to compact JSON.
// Fails only if the embedded YAML is malformed, which a test guards against.
Result<std::string> openapi_json();

// (method, path template) of every operation the document describes, e.g. {"GET", "/v1/drift"}.
Result<std::vector<std::pair<std::string, std::string>>> openapi_operations();

}  // namespace plumb::api
