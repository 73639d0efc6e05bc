#include "reconciler/source/subpath.hpp"

namespace plumb::source {

namespace {

tl::unexpected<Error> invalid(std::string_view path, std::string_view why) {
  return make_error(ErrorKind::terminal, "INVALID_PATH",
                    "path `" + std::string(path) + "`: " + std::string(why));
}

}  // namespace

Result<std::string> normalize_subpath(std::string_view path) {
  if (!path.empty() && path.front() == '/') return invalid(path, "must be relative to the repository root");
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return invalid(path, "control characters");
    if (c == '\\') return invalid(path, "backslashes are not path separators here; use `/`");
  }
  std::string out;
  for (const auto& part : subpath_components(path)) {
    if (part == ".") continue;
    if (part == "..") return invalid(path, "`..` would leave the configured root");
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

std::vector<std::string> subpath_components(std::string_view normalized) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= normalized.size()) {
    auto end = normalized.find('/', start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) parts.emplace_back(normalized.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_manifest_name(std::string_view name) {
  return (name.size() > 5 && name.ends_with(".yaml")) || (name.size() > 4 && name.ends_with(".yml"));
}

}  // namespace plumb::source
