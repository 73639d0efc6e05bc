#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/util/error.hpp"

namespace plumb::source {

// The configured `--path` inside a repository, normalised: no leading/trailing or doubled
// slashes, no `.` components; "" is the repository root. Refuses `..`, absolute paths,
// backslashes and control characters (terminal INVALID_PATH): a path may only narrow the tree.
Result<std::string> normalize_subpath(std::string_view path);

// The components of a normalised subpath ("a/b" -> {"a", "b"}; "" -> {}).
std::vector<std::string> subpath_components(std::string_view normalized);

// True if `name` ends in `.yaml` or `.yml` (the only files the sources read).
bool is_manifest_name(std::string_view name);

}  // namespace plumb::source
