#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "reconciler/load/load.hpp"
#include "reconciler/source/snapshot.hpp"

namespace plumb::source {

// What a load produced: the desired state, shared with the loader (which serves the next load's
// unchanged files from it), and every diagnostic (the snapshot's own included).
struct CachedLoad {
  std::shared_ptr<const model::DesiredState> desired;
  model::Diagnostics diagnostics;
};

// Turns snapshots into desired states, parsing only files not seen before. A file is known by
// (blob id, path) — the path is part of the key because diagnostics carry it. The loader keeps
// the desired state it last produced and, per file of that snapshot, the file's own diagnostics
// and the keys of its resources: an unchanged file's resources are copied from that state, so
// the operator holds its resources once, not once in a parse cache and again in the desired
// state. load::assemble always runs on the whole set, so cross-file checks are never stale.
// Not thread-safe.
class CachedLoader {
 public:
  explicit CachedLoader(load::LoadLimits limits = {}) : m_limits(limits) {}

  // The desired state of `snapshot` (its commit set), with the snapshot's own diagnostics
  // (refused symlinks, oversized files) merged in: any error makes the result not applyable.
  CachedLoad load(const Snapshot& snapshot);

  struct Stats {
    std::size_t hits = 0;     // files served from the last desired state, over the loader's lifetime
    std::size_t misses = 0;   // files parsed
    std::size_t entries = 0;  // files currently known
  };
  Stats stats() const;

 private:
  struct Entry {
    model::Diagnostics diagnostics;        // the file's own findings
    std::vector<model::ResourceKey> keys;  // its resources, each in m_last under its key
  };
  // The file's resources rebuilt from m_last, or nullopt if m_last does not hold them all.
  std::optional<load::ParsedFile> from_last(const Entry& entry, const std::string& path) const;

  load::LoadLimits m_limits;
  std::unordered_map<std::string, Entry> m_known;  // key: blob id + '\n' + path
  std::shared_ptr<const model::DesiredState> m_last;
  std::size_t m_hits = 0;
  std::size_t m_misses = 0;
};

}  // namespace plumb::source
