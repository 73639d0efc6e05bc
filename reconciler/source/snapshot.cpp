#include "reconciler/source/snapshot.hpp"

namespace plumb::source {

void apply_display_prefix(Snapshot& snapshot, const std::string& prefix) {
  if (prefix.empty()) return;
  for (auto& file : snapshot.files) file.path = prefix + "/" + file.path;
  model::Diagnostics prefixed;
  for (auto d : snapshot.diagnostics.items()) {
    d.location.file = d.location.file.empty() ? prefix : prefix + "/" + d.location.file;
    prefixed.add(std::move(d));
  }
  snapshot.diagnostics = std::move(prefixed);
}

}  // namespace plumb::source
