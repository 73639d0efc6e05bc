#pragma once
#include <string_view>

namespace plumb {

// A file compiled into the binary (JSON schemas, SQL migrations). `path` is relative to the
// repository root, e.g. "schemas/tenant.schema.json".
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

}  // namespace plumb
