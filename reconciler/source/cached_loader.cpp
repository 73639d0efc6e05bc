#include "reconciler/source/cached_loader.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

namespace plumb::source {

namespace {

// The position of the resource with `key` in a desired state (sorted by key, keys unique), or
// nullopt. `hint` is tried first: the resources of a file, and of the next file of that kind in
// path order, are usually neighbours in key order (one tenant's tokens, then the next tenant's),
// so most lookups cost one comparison instead of a search.
std::optional<std::size_t> find(const model::DesiredState& state, const model::ResourceKey& key,
                                std::size_t hint) {
  const auto& all = state.resources;
  if (hint < all.size() && all[hint].key == key) return hint;
  auto it = std::lower_bound(all.begin(), all.end(), key,
                             [](const model::Resource& r, const model::ResourceKey& k) { return r.key < k; });
  if (it == all.end() || !(it->key == key)) return std::nullopt;
  return static_cast<std::size_t>(it - all.begin());
}

}  // namespace

std::optional<std::vector<model::Resource*>> CachedLoader::in_last(const Entry& entry, const std::string& path,
                                                                   Hints& hints) const {
  if (!m_last) return std::nullopt;
  std::vector<model::Resource*> out;
  out.reserve(entry.keys.size());
  for (const auto& key : entry.keys) {
    std::size_t& next = hints[static_cast<std::size_t>(key.kind)];
    const auto at = find(*m_last, key, next);
    if (!at || m_last->resources[*at].source.file != path) return std::nullopt;
    out.push_back(&m_last->resources[*at]);
    next = *at + 1;
  }
  return out;
}

CachedLoad CachedLoader::load(const Snapshot& snapshot) {
  const std::size_t count = snapshot.files.size();
  // Per file: its cache key (blob id + path; "" without a blob id), its resources (in m_last for
  // a known file, in `fresh` for a parsed one) and its own diagnostics.
  std::vector<std::string> keys(count);
  std::vector<std::vector<model::Resource*>> resources(count);
  std::vector<const model::Diagnostics*> findings(count, nullptr);
  std::vector<const load::SourceFile*> misses;
  std::vector<std::size_t> miss_index;
  Hints hints{};
  std::vector<bool> hit(count, false);  // served from m_known and m_last
  for (std::size_t i = 0; i < count; ++i) {
    if (i < snapshot.blob_ids.size() && !snapshot.blob_ids[i].empty()) {
      keys[i] = snapshot.blob_ids[i] + '\n' + snapshot.files[i].path;
      if (auto known = m_known.find(keys[i]); known != m_known.end()) {
        if (auto held = in_last(known->second, snapshot.files[i].path, hints)) {
          resources[i] = std::move(*held);
          findings[i] = &known->second.diagnostics;
          hit[i] = true;
        }
      }
    }
    if (findings[i] == nullptr) {
      misses.push_back(&snapshot.files[i]);
      miss_index.push_back(i);
    }
  }
  // Files not seen before are parsed together, on every core.
  std::vector<load::ParsedFile> fresh = load::parse_files(misses, m_limits);
  for (std::size_t m = 0; m < fresh.size(); ++m) {
    const std::size_t i = miss_index[m];
    for (auto& r : fresh[m].resources) resources[i].push_back(&r);
    findings[i] = &fresh[m].diagnostics;
  }
  m_misses += misses.size();
  m_hits += count - misses.size();

  // The cross-file checks, on the resources where they are: nothing is copied yet.
  model::Diagnostics diagnostics;
  std::vector<model::Resource*> all;
  for (std::size_t i = 0; i < count; ++i) {
    diagnostics.append(*findings[i]);
    all.insert(all.end(), resources[i].begin(), resources[i].end());
  }
  load::CrossFileCheck checked = load::check_across_files(std::move(all), diagnostics);
  diagnostics.append(snapshot.diagnostics);
  diagnostics.sort();
  const bool valid = !diagnostics.has_errors();

  // What to remember of each file, read before the resources move (a valid load declares every
  // key once, so every file's resources are in the new state). A file served from m_known keeps
  // its entry: the node moves over as it is (its diagnostics stay where findings[i] points), and
  // what is left in m_known is what this revision no longer has.
  std::unordered_map<std::string, Entry> next;
  next.reserve(count);
  for (std::size_t i = 0; i < count && valid; ++i) {
    if (keys[i].empty()) continue;
    if (hit[i]) {
      next.insert(m_known.extract(keys[i]));
      continue;
    }
    Entry entry{*findings[i], {}};
    entry.keys.reserve(resources[i].size());
    for (const model::Resource* r : resources[i]) entry.keys.push_back(r->key);
    next.emplace(keys[i], std::move(entry));
  }
  // Which keys may have changed since the last valid state: those of the files parsed now and of
  // the files gone since (unchanged files bring the very same resources). Read before they move.
  // Only when every file of both revisions has a blob id: a file without one is not in m_known,
  // so its removal could not be told.
  const bool all_keyed =
      std::none_of(keys.begin(), keys.end(), [](const std::string& k) { return k.empty(); });
  std::optional<std::vector<model::ResourceKey>> changed;
  if (valid && m_last && m_last_all_keyed && all_keyed) {
    changed.emplace();
    for (std::size_t i : miss_index) {
      for (const model::Resource* r : resources[i]) changed->push_back(r->key);
    }
    for (const auto& [key, entry] : m_known) {  // the files gone or changed since, once served files moved
      if (next.count(key) == 0) changed->insert(changed->end(), entry.keys.begin(), entry.keys.end());
    }
  }
  // The new state: parsed resources moved in; the last state's moved too when this load is valid
  // (the last state is then never needed again) and nobody else holds it, else copied.
  const bool take_last = valid && m_last && m_last.use_count() == 1;
  auto held_by_last = [&](const model::Resource* r) {
    if (!m_last || m_last->resources.empty()) return false;
    const model::Resource* first = m_last->resources.data();
    const model::Resource* end = first + m_last->resources.size();
    return !std::less<const model::Resource*>()(r, first) && std::less<const model::Resource*>()(r, end);
  };
  auto state = std::make_shared<model::DesiredState>();
  state->commit = snapshot.commit;
  state->resources.reserve(checked.kept.size());
  for (model::Resource* r : checked.kept) {
    if (take_last || !held_by_last(r)) {
      state->resources.push_back(std::move(*r));
    } else {
      state->resources.push_back(*r);
    }
  }
  if (!valid) {
    // Nothing is kept of an invalid revision: the state in force and what is known of its files
    // stay as they were, and the files that changed since are parsed again next time.
    return CachedLoad{std::move(state), std::move(diagnostics), m_last, std::nullopt};
  }

  m_last = std::move(state);
  m_last_all_keyed = all_keyed;
  m_known = std::move(next);  // only the latest snapshot's files: bounded to one revision
  CachedLoad out{m_last, std::move(diagnostics), nullptr, std::move(changed)};
  return out;
}

CachedLoader::Stats CachedLoader::stats() const {
  return Stats{m_hits, m_misses, m_known.size()};
}

}  // namespace plumb::source
