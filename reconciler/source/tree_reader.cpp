#include "reconciler/source/tree_reader.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "reconciler/source/subpath.hpp"

namespace plumb::source::detail {

namespace {

constexpr int k_max_tree_depth = 64;

// Walk state: the snapshot being filled plus the limits. Kept together so the recursive
// walk stays a short function.
struct Walk {
  git_repository* repo = nullptr;
  git_odb* odb = nullptr;
  const load::LoadLimits* limits = nullptr;
  Snapshot* previous = nullptr;  // reused where unchanged; null: read everything
  bool consume = false;          // move reused contents out of `previous` instead of copying
  Snapshot snapshot;
  bool stopped = false;  // a cross-file limit was hit: stop reading, the revision is invalid
};

// The file at `rel` in the previous snapshot if its blob id is `id`, else null.
load::SourceFile* previous_file(const Walk& walk, const std::string& rel, const std::string& id) {
  if (walk.previous == nullptr) return nullptr;
  auto& files = walk.previous->files;
  auto it =
      std::lower_bound(files.begin(), files.end(), rel,
                       [](const load::SourceFile& f, const std::string& path) { return f.path < path; });
  if (it == files.end() || it->path != rel) return nullptr;
  const auto i = static_cast<std::size_t>(it - files.begin());
  return walk.previous->blob_ids[i] == id ? &*it : nullptr;
}

// Locations are relative to the configured root, like SourceFile::path.
model::SourceLocation where(const Walk&, const std::string& rel) {
  return model::SourceLocation{rel, 0, 0};
}

// Names git itself would never write; a crafted tree could, so they are refused.
bool is_bad_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return true;
  for (char c : name) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

// A file of the previous snapshot into the new one: its content moved when the walk consumes
// the previous snapshot (the path stays, so the previous files stay sorted for lookups).
void take_file(Walk& walk, load::SourceFile& file) {
  if (walk.consume) {
    walk.snapshot.files.push_back(load::SourceFile{file.path, std::move(file.content)});
  } else {
    walk.snapshot.files.push_back(file);
  }
}

Result<void> read_blob(Walk& walk, const git_tree_entry* entry, const std::string& rel) {
  const git_oid* oid = git_tree_entry_id(entry);
  std::string id = oid_hex(*oid);
  load::SourceFile* same = previous_file(walk, rel, id);
  std::size_t size = same != nullptr ? same->content.size() : 0;
  git_object_t type = GIT_OBJECT_INVALID;
  // The header gives the size without inflating the content: an oversized blob is never read.
  if (int rc = same != nullptr ? 0 : git_odb_read_header(&size, &type, walk.odb, oid); rc != 0) {
    return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "reading blob header of " + rel));
  }
  if (size > walk.limits->max_file_bytes) {
    walk.snapshot.diagnostics.error(k_code_file_too_large,
                                    fmt::format("{} bytes exceeds the limit of {} bytes per file; not read",
                                                size, walk.limits->max_file_bytes),
                                    where(walk, rel), {}, "split the manifests into several files");
    return {};
  }
  if (walk.snapshot.files.size() + 1 > walk.limits->max_files) {
    walk.snapshot.diagnostics.error(k_code_too_many_files,
                                    fmt::format("more than {} manifest files", walk.limits->max_files),
                                    where(walk, rel));
    walk.stopped = true;
    return {};
  }
  if (walk.snapshot.total_bytes + size > walk.limits->max_total_bytes) {
    walk.snapshot.diagnostics.error(
        k_code_total_too_large,
        fmt::format("manifests exceed the total limit of {} bytes", walk.limits->max_total_bytes),
        where(walk, rel));
    walk.stopped = true;
    return {};
  }
  if (same != nullptr) {
    take_file(walk, *same);  // the same blob: no need to inflate it again
  } else {
    git_blob* raw = nullptr;
    if (int rc = git_blob_lookup(&raw, walk.repo, oid); rc != 0) {
      return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "reading blob " + rel));
    }
    BlobPtr blob(raw);
    const auto* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    const auto len = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
    walk.snapshot.files.push_back(load::SourceFile{rel, std::string(data, len)});
  }
  walk.snapshot.blob_ids.push_back(std::move(id));
  walk.snapshot.total_bytes += walk.snapshot.files.back().content.size();
  return {};
}

// A directory whose tree id the previous snapshot read too: its files, blob ids and
// subdirectories taken from there. False (nothing copied) when they would break a cross-file
// limit: the directory is then read entry by entry, which reports the limit where it is hit.
bool reuse_directory(Walk& walk, const std::string& dir, const std::string& id) {
  Snapshot* prev = walk.previous;
  if (prev == nullptr) return false;
  auto known = prev->tree_ids.find(dir);
  if (known == prev->tree_ids.end() || known->second != id) return false;
  auto first =
      std::lower_bound(prev->files.begin(), prev->files.end(), dir,
                       [](const load::SourceFile& f, const std::string& path) { return f.path < path; });
  auto last = first;
  std::size_t bytes = 0;
  while (last != prev->files.end() && last->path.starts_with(dir)) bytes += (last++)->content.size();
  const auto count = static_cast<std::size_t>(last - first);
  if (walk.snapshot.files.size() + count > walk.limits->max_files ||
      walk.snapshot.total_bytes + bytes > walk.limits->max_total_bytes) {
    return false;
  }
  const auto offset = static_cast<std::size_t>(first - prev->files.begin());
  for (auto it = first; it != last; ++it) take_file(walk, *it);
  walk.snapshot.blob_ids.insert(walk.snapshot.blob_ids.end(),
                                prev->blob_ids.begin() + static_cast<std::ptrdiff_t>(offset),
                                prev->blob_ids.begin() + static_cast<std::ptrdiff_t>(offset + count));
  walk.snapshot.total_bytes += bytes;
  for (auto it = known; it != prev->tree_ids.end() && it->first.starts_with(dir); ++it) {
    walk.snapshot.tree_ids.insert(*it);
  }
  return true;
}

Result<void> walk_tree(Walk& walk, const git_tree* tree, const std::string& prefix, int depth);

Result<void> visit_entry(Walk& walk, const git_tree_entry* entry, const std::string& prefix, int depth) {
  const std::string name = git_tree_entry_name(entry);
  const std::string rel = prefix + name;
  if (is_bad_name(name)) {
    walk.snapshot.diagnostics.error(k_code_bad_name, "tree entry with an invalid name refused",
                                    where(walk, rel));
    return {};
  }
  if (name.front() == '.') return {};  // .git, .github, editor files: not configuration
  switch (git_tree_entry_filemode(entry)) {
    case GIT_FILEMODE_TREE: {
      const std::string id = oid_hex(*git_tree_entry_id(entry));
      if (reuse_directory(walk, rel + "/", id)) return {};
      git_tree* raw = nullptr;
      if (int rc = git_tree_lookup(&raw, walk.repo, git_tree_entry_id(entry)); rc != 0) {
        return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "reading tree " + rel));
      }
      TreePtr sub(raw);
      walk.snapshot.tree_ids.emplace(rel + "/", id);
      return walk_tree(walk, sub.get(), rel + "/", depth + 1);
    }
    case GIT_FILEMODE_LINK:
      // The link's target is never resolved or read: it could point anywhere on the host.
      if (is_manifest_name(name)) {
        walk.snapshot.diagnostics.error(k_code_symlink, "symbolic link refused; plumb never follows links",
                                        where(walk, rel), {}, "commit the manifest itself instead of a link");
      } else {
        walk.snapshot.diagnostics.warning(k_code_symlink, "symbolic link ignored; plumb never follows links",
                                          where(walk, rel));
      }
      return {};
    case GIT_FILEMODE_COMMIT:
      walk.snapshot.diagnostics.error(k_code_submodule, "submodule refused; plumb does not read submodules",
                                      where(walk, rel), {}, "vendor the manifests into this repository");
      return {};
    case GIT_FILEMODE_BLOB:
    case GIT_FILEMODE_BLOB_EXECUTABLE:
      return is_manifest_name(name) ? read_blob(walk, entry, rel) : Result<void>{};
    default:
      return {};
  }
}

Result<void> walk_tree(Walk& walk, const git_tree* tree, const std::string& prefix, int depth) {
  if (depth > k_max_tree_depth) {
    walk.snapshot.diagnostics.error(k_code_bad_name, "directory nesting too deep; not read",
                                    where(walk, prefix));
    return {};
  }
  const std::size_t count = git_tree_entrycount(tree);
  for (std::size_t i = 0; i < count && !walk.stopped; ++i) {
    if (auto r = visit_entry(walk, git_tree_entry_byindex(tree, i), prefix, depth); !r) return r;
  }
  return {};
}

// Descends to `subpath` one component at a time so a symlinked or missing directory gets a
// precise diagnostic instead of a generic "not found". Returns null tree when refused.
Result<TreePtr> descend(Walk& walk, git_tree* root, std::string_view subpath) {
  git_tree* raw = nullptr;
  if (int rc = git_tree_dup(&raw, root); rc != 0)
    return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "tree"));
  TreePtr current(raw);
  std::string so_far;
  for (const auto& part : subpath_components(subpath)) {
    so_far += so_far.empty() ? part : "/" + part;
    const git_tree_entry* entry = git_tree_entry_byname(current.get(), part.c_str());
    if (entry == nullptr || git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE) {
      const bool link = entry != nullptr && git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK;
      walk.snapshot.diagnostics.error(
          link ? k_code_symlink : k_code_path_not_found,
          link ? "configured path `" + so_far + "` is a symbolic link; refused"
               : "configured path `" + so_far + "` is not a directory in this commit",
          model::SourceLocation{"", 0, 0}, so_far);
      return TreePtr{};
    }
    raw = nullptr;
    if (int rc = git_tree_lookup(&raw, walk.repo, git_tree_entry_id(entry)); rc != 0) {
      return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "reading tree " + so_far));
    }
    current.reset(raw);
  }
  return current;
}

// Git orders a directory `a` as if it were `a/`, so tree order is not plain path order.
void sort_by_path(Snapshot& snapshot) {
  std::vector<std::size_t> order(snapshot.files.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return snapshot.files[a].path < snapshot.files[b].path; });
  std::vector<load::SourceFile> files;
  std::vector<std::string> ids;
  files.reserve(order.size());
  ids.reserve(order.size());
  for (std::size_t i : order) {
    files.push_back(std::move(snapshot.files[i]));
    ids.push_back(std::move(snapshot.blob_ids[i]));
  }
  snapshot.files = std::move(files);
  snapshot.blob_ids = std::move(ids);
}

}  // namespace

Result<Snapshot> read_commit_files(git_repository* repo, git_commit* commit, std::string_view subpath,
                                   const load::LoadLimits& limits, Snapshot* previous, Reuse reuse) {
  Walk walk;
  walk.repo = repo;
  walk.limits = &limits;
  // A previous read with findings (refused links, bad names, limits) is not reused: its
  // directories would have to bring their diagnostics along.
  if (previous != nullptr && previous->diagnostics.items().empty()) {
    walk.previous = previous;
    walk.consume = reuse == Reuse::consume;
  }
  walk.snapshot.commit = oid_hex(*git_commit_id(commit));
  if (const git_signature* who = git_commit_author(commit); who != nullptr) {
    walk.snapshot.author = fmt::format("{} <{}>", who->name ? who->name : "", who->email ? who->email : "");
  }
  git_odb* odb_raw = nullptr;
  if (int rc = git_repository_odb(&odb_raw, repo); rc != 0) {
    return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "opening the object database"));
  }
  OdbPtr odb(odb_raw);
  walk.odb = odb.get();
  git_tree* root_raw = nullptr;
  if (int rc = git_commit_tree(&root_raw, commit); rc != 0) {
    return tl::unexpected(to_error(rc, "GIT_READ_FAILED", "reading the commit's tree"));
  }
  TreePtr root(root_raw);
  auto sub = descend(walk, root.get(), subpath);
  if (!sub) return tl::unexpected(sub.error());
  if (*sub) {
    walk.snapshot.tree_ids.emplace("", oid_hex(*git_tree_id(sub->get())));
    if (auto r = walk_tree(walk, sub->get(), "", 0); !r) return tl::unexpected(r.error());
  }
  sort_by_path(walk.snapshot);
  return std::move(walk.snapshot);
}

}  // namespace plumb::source::detail
