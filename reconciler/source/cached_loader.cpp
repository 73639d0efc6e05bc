#include "reconciler/source/cached_loader.hpp"

#include <algorithm>
#include <utility>

namespace plumb::source {

namespace {

// The resource with `key` in a desired state (sorted by key, keys unique), or nullptr.
const model::Resource* find(const model::DesiredState& state, const model::ResourceKey& key) {
  auto it = std::lower_bound(state.resources.begin(), state.resources.end(), key,
                             [](const model::Resource& r, const model::ResourceKey& k) { return r.key < k; });
  return it != state.resources.end() && it->key == key ? &*it : nullptr;
}

}  // namespace

std::optional<load::ParsedFile> CachedLoader::from_last(const Entry& entry, const std::string& path) const {
  if (!m_last) return std::nullopt;
  load::ParsedFile file;
  file.diagnostics = entry.diagnostics;
  file.resources.reserve(entry.keys.size());
  for (const auto& key : entry.keys) {
    const model::Resource* r = find(*m_last, key);
    if (r == nullptr || r->source.file != path) return std::nullopt;
    file.resources.push_back(*r);
  }
  return file;
}

CachedLoad CachedLoader::load(const Snapshot& snapshot) {
  const std::size_t count = snapshot.files.size();
  std::vector<std::string> keys(count);
  std::vector<std::optional<load::ParsedFile>> files(count);
  std::vector<const load::SourceFile*> misses;
  std::vector<std::size_t> miss_index;
  for (std::size_t i = 0; i < count; ++i) {
    if (i < snapshot.blob_ids.size() && !snapshot.blob_ids[i].empty()) {
      keys[i] = snapshot.blob_ids[i] + '\n' + snapshot.files[i].path;
      if (auto known = m_known.find(keys[i]); known != m_known.end()) {
        files[i] = from_last(known->second, snapshot.files[i].path);
      }
    }
    if (!files[i]) {
      misses.push_back(&snapshot.files[i]);
      miss_index.push_back(i);
    }
  }
  // Files not seen before are parsed together, on every core.
  std::vector<load::ParsedFile> fresh = load::parse_files(misses, m_limits);
  for (std::size_t m = 0; m < fresh.size(); ++m) files[miss_index[m]] = std::move(fresh[m]);
  m_misses += misses.size();
  m_hits += count - misses.size();

  // What to remember of each file, before assemble() takes the resources.
  std::unordered_map<std::string, Entry> next;
  next.reserve(count);
  std::vector<load::ParsedFile> parsed;
  parsed.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (!keys[i].empty()) {
      Entry entry{files[i]->diagnostics, {}};
      entry.keys.reserve(files[i]->resources.size());
      for (const auto& r : files[i]->resources) entry.keys.push_back(r.key);
      next.emplace(keys[i], std::move(entry));
    }
    parsed.push_back(std::move(*files[i]));
  }
  load::LoadResult result = load::assemble(std::move(parsed));
  result.desired.commit = snapshot.commit;
  m_last = std::make_shared<const model::DesiredState>(std::move(result.desired));
  // A file with a resource assemble() dropped (declared twice) cannot be rebuilt from m_last:
  // forget it, and it is parsed again next time.
  for (std::size_t i = 0; i < count; ++i) {
    if (keys[i].empty()) continue;
    auto entry = next.find(keys[i]);
    const bool whole = std::all_of(entry->second.keys.begin(), entry->second.keys.end(), [&](const auto& key) {
      const model::Resource* r = find(*m_last, key);
      return r != nullptr && r->source.file == snapshot.files[i].path;
    });
    if (!whole) next.erase(entry);
  }
  m_known = std::move(next);  // only the latest snapshot's files: bounded to one revision

  CachedLoad out{m_last, std::move(result.diagnostics)};
  out.diagnostics.append(snapshot.diagnostics);
  out.diagnostics.sort();
  return out;
}

CachedLoader::Stats CachedLoader::stats() const { return Stats{m_hits, m_misses, m_known.size()}; }

}  // namespace plumb::source
