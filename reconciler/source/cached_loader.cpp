#include "reconciler/source/cached_loader.hpp"

#include <utility>
#include <vector>

namespace plumb::source {

load::LoadResult CachedLoader::load(const Snapshot& snapshot) {
  const std::size_t count = snapshot.files.size();
  auto key_of = [&](std::size_t i) {
    return i < snapshot.blob_ids.size() && !snapshot.blob_ids[i].empty()
               ? snapshot.blob_ids[i] + '\n' + snapshot.files[i].path
               : std::string();
  };
  // Files not seen before are parsed together, on every core.
  std::vector<const load::SourceFile*> misses;
  std::vector<std::size_t> miss_index;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string key = key_of(i);
    if (key.empty() || !m_cache.count(key)) {
      misses.push_back(&snapshot.files[i]);
      miss_index.push_back(i);
    }
  }
  std::vector<load::ParsedFile> fresh = load::parse_files(misses, m_limits);
  m_misses += misses.size();
  m_hits += count - misses.size();

  std::unordered_map<std::string, load::ParsedFile> next;
  next.reserve(count);
  std::vector<load::ParsedFile> parsed;
  parsed.reserve(count);
  for (std::size_t i = 0, m = 0; i < count; ++i) {
    std::string key = key_of(i);
    if (m < miss_index.size() && miss_index[m] == i) {
      load::ParsedFile& result = fresh[m++];
      parsed.push_back(result);
      if (!key.empty()) next.emplace(std::move(key), std::move(result));
      continue;
    }
    auto hit = m_cache.find(key);
    parsed.push_back(hit->second);
    next.emplace(std::move(key), std::move(hit->second));
  }
  // Dropping what the latest snapshot no longer holds bounds the cache to one revision.
  m_cache = std::move(next);
  load::LoadResult out = load::assemble(std::move(parsed));
  out.desired.commit = snapshot.commit;
  out.diagnostics.append(snapshot.diagnostics);
  out.diagnostics.sort();
  return out;
}

CachedLoader::Stats CachedLoader::stats() const { return Stats{m_hits, m_misses, m_cache.size()}; }

}  // namespace plumb::source
