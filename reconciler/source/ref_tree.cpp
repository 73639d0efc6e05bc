#include "reconciler/source/ref_tree.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "reconciler/source/git_handles.hpp"
#include "reconciler/source/subpath.hpp"
#include "reconciler/source/tree_reader.hpp"

namespace plumb::source {

using namespace detail;

namespace {

Result<RepoPtr> open_repository(const std::string& dir) {
  ensure_libgit2();
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_ext(&raw, dir.c_str(), 0, nullptr); rc != 0) {
    Error err = to_error(rc, "NOT_A_REPOSITORY", fmt::format("`{}` is not inside a Git repository", dir));
    err.kind = ErrorKind::terminal;
    return tl::unexpected(err);
  }
  return RepoPtr(raw);
}

Result<CommitPtr> resolve_commit(git_repository* repo, std::string_view ref) {
  git_object* obj = nullptr;
  const std::string spec(ref);
  if (int rc = git_revparse_single(&obj, repo, spec.c_str()); rc != 0) {
    Error err = to_error(rc, "REF_NOT_FOUND", fmt::format("`{}` is not a branch, tag or commit", spec));
    err.kind = ErrorKind::terminal;
    return tl::unexpected(err);
  }
  ObjectPtr object(obj);
  git_object* peeled = nullptr;
  if (int rc = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT); rc != 0) {
    Error err = to_error(rc, "REF_NOT_FOUND", fmt::format("`{}` does not name a commit", spec));
    err.kind = ErrorKind::terminal;
    return tl::unexpected(err);
  }
  return CommitPtr(reinterpret_cast<git_commit*>(peeled));
}

Result<Snapshot> read_at(git_repository* repo, std::string_view ref, std::string_view subpath,
                         const load::LoadLimits& limits) {
  auto commit = resolve_commit(repo, ref);
  if (!commit) return tl::unexpected(commit.error());
  return read_commit_files(repo, commit->get(), subpath, limits);
}

}  // namespace

Result<Snapshot> read_ref_tree(const std::string& dir, std::string_view ref, const load::LoadLimits& limits) {
  auto repo = open_repository(dir);
  if (!repo) return tl::unexpected(repo.error());
  const char* workdir = git_repository_workdir(repo->get());
  if (workdir == nullptr) return make_error(ErrorKind::terminal, "NOT_A_REPOSITORY", "`" + dir + "` is in a bare repository");
  std::error_code ec;
  auto abs_dir = std::filesystem::weakly_canonical(dir, ec);
  auto abs_root = std::filesystem::weakly_canonical(workdir, ec);
  if (ec) return make_error(ErrorKind::terminal, "NOT_A_REPOSITORY", fmt::format("{}: {}", dir, ec.message()));
  auto rel = abs_dir.lexically_relative(abs_root).generic_string();
  if (rel == ".") rel.clear();
  auto subpath = normalize_subpath(rel);
  if (!subpath) return tl::unexpected(subpath.error());
  return read_at(repo->get(), ref, *subpath, limits);
}

Result<Snapshot> read_ref_tree(const std::string& repo_dir, std::string_view ref, std::string_view subpath,
                               const load::LoadLimits& limits) {
  auto normalized = normalize_subpath(subpath);
  if (!normalized) return tl::unexpected(normalized.error());
  auto repo = open_repository(repo_dir);
  if (!repo) return tl::unexpected(repo.error());
  return read_at(repo->get(), ref, *normalized, limits);
}

}  // namespace plumb::source
