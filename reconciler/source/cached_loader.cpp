#include "reconciler/source/cached_loader.hpp"

#include <utility>
#include <vector>

namespace plumb::source {

load::LoadResult CachedLoader::load(const Snapshot& snapshot) {
  std::unordered_map<std::string, load::ParsedFile> next;
  next.reserve(snapshot.files.size());
  std::vector<load::ParsedFile> parsed;
  parsed.reserve(snapshot.files.size());
  for (std::size_t i = 0; i < snapshot.files.size(); ++i) {
    const auto& file = snapshot.files[i];
    const std::string blob = i < snapshot.blob_ids.size() ? snapshot.blob_ids[i] : std::string();
    std::string key = blob + '\n' + file.path;
    auto hit = blob.empty() ? m_cache.end() : m_cache.find(key);
    if (hit != m_cache.end()) {
      ++m_hits;
      parsed.push_back(hit->second);
      next.emplace(std::move(key), std::move(hit->second));
      continue;
    }
    ++m_misses;
    load::ParsedFile result = load::parse_file(file, m_limits);
    parsed.push_back(result);
    if (!blob.empty()) next.emplace(std::move(key), std::move(result));
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
