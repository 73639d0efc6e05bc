#pragma once
#include <cstddef>
#include <string>
#include <unordered_map>

#include "reconciler/load/load.hpp"
#include "reconciler/source/snapshot.hpp"

namespace plumb::source {

// Turns snapshots into LoadResults, parsing only files not seen before: parse results are
// cached by (blob id, path) — the path is part of the key because diagnostics carry it — and
// the cache is pruned to the files of the latest snapshot. load::assemble always runs on the
// whole set, so cross-file checks are never stale. Not thread-safe.
class CachedLoader {
 public:
  explicit CachedLoader(load::LoadLimits limits = {}) : m_limits(limits) {}

  // The desired state of `snapshot` (its commit set), with the snapshot's own diagnostics
  // (refused symlinks, oversized files) merged in: any error makes the result not applyable.
  load::LoadResult load(const Snapshot& snapshot);

  struct Stats {
    std::size_t hits = 0;     // files served from the cache, over the loader's lifetime
    std::size_t misses = 0;   // files parsed
    std::size_t entries = 0;  // files currently cached
  };
  Stats stats() const;

 private:
  load::LoadLimits m_limits;
  std::unordered_map<std::string, load::ParsedFile> m_cache;  // key: blob id + '\n' + path
  std::size_t m_hits = 0;
  std::size_t m_misses = 0;
};

}  // namespace plumb::source
