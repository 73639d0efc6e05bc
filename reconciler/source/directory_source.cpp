#include "reconciler/source/directory_source.hpp"

#include "reconciler/source/directory.hpp"
#include "reconciler/util/crypto.hpp"

namespace plumb::source {

DirectorySource::DirectorySource(std::filesystem::path root, load::LoadLimits limits, std::string display_prefix)
    : m_root(std::move(root)), m_limits(limits), m_display_prefix(std::move(display_prefix)) {}

Result<std::shared_ptr<const Snapshot>> DirectorySource::snapshot(std::stop_token) {
  auto set = read_directory(m_root, m_limits, m_display_prefix);
  if (!set) return tl::unexpected(set.error());
  auto snap = std::make_shared<Snapshot>();
  snap->diagnostics = std::move(set->diagnostics);
  snap->files = std::move(set->files);
  snap->blob_ids.reserve(snap->files.size());
  for (const auto& file : snap->files) {
    // "sha256:" keeps these ids from ever colliding with Git blob ids in a shared cache.
    snap->blob_ids.push_back("sha256:" + crypto::sha256_hex(file.content));
    snap->total_bytes += file.content.size();
  }
  return std::shared_ptr<const Snapshot>(std::move(snap));
}

std::string DirectorySource::describe() const { return m_root.string(); }

}  // namespace plumb::source
