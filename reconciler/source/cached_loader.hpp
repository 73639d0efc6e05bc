#pragma once
#include <array>
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
  // Set when the load has errors: the last valid state the loader handed out, untouched, for a
  // caller that let go of it (see CachedLoader::load) and keeps it in force.
  std::shared_ptr<const model::DesiredState> previous;
  // Set when a valid load follows a valid one: every key whose resource may differ from the
  // state handed out before (the resources of added, edited and removed files). Any other key's
  // resource is the same.
  std::optional<std::vector<model::ResourceKey>> changed;
};

// Turns snapshots into desired states, parsing only files not seen before. A file is known by
// (blob id, path) — the path is part of the key because diagnostics carry it. The loader keeps
// the desired state it last produced and, per file of that snapshot, the file's own diagnostics
// and the keys of its resources: an unchanged file's resources are taken from that state, so
// the operator holds its resources once, not once in a parse cache and again in the desired
// state. The cross-file checks (load::check_across_files) always run on the whole set, so they
// are never stale. Not thread-safe.
class CachedLoader {
 public:
  explicit CachedLoader(load::LoadLimits limits = {}) : m_limits(limits) {}

  // The desired state of `snapshot` (its commit set), with the snapshot's own diagnostics
  // (refused symlinks, oversized files) merged in: any error makes the result not applyable.
  // Unchanged files' resources are *moved* out of the state handed out last when nobody else
  // holds it any more (a caller that lets go of it before loading saves a copy of every
  // resource: at 100k resources most of a one-file pass), copied otherwise. A load with errors
  // moves nothing and keeps nothing: the loader stays as it was, and returns the state it
  // handed out last as `previous` (the caller's, if it let go of it).
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
  // Per kind, where in m_last the next resource of that kind probably is (after the last found).
  using Hints = std::array<std::size_t, model::k_all_kinds.size()>;
  // The file's resources in m_last, or nullopt if m_last does not hold them all.
  std::optional<std::vector<model::Resource*>> in_last(const Entry& entry, const std::string& path,
                                                       Hints& hints) const;

  load::LoadLimits m_limits;
  std::unordered_map<std::string, Entry> m_known;  // key: blob id + '\n' + path
  std::shared_ptr<model::DesiredState> m_last;     // handed out as const
  bool m_last_all_keyed = false;                   // every file of its snapshot had a blob id
  std::size_t m_hits = 0;
  std::size_t m_misses = 0;
};

}  // namespace plumb::source
