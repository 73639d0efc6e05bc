#pragma once
#include <memory>
#include <string>

#include "reconciler/load/load.hpp"
#include "reconciler/source/repo_url.hpp"
#include "reconciler/source/source.hpp"

namespace plumb::source {

// How to authenticate to a remote. Secrets are read from files (or an environment variable)
// each time a connection asks for them, so a rotated Kubernetes secret is picked up without a
// restart; they are never logged.
struct GitCredentials {
  std::string username;          // https default "x-access-token" (GitLab: "oauth2"); ssh default from URL or "git"
  std::string token_file;        // https token (password), first line of the file
  std::string token_env;         // or the name of an environment variable holding it
  std::string ssh_key_file;      // ssh private key
  std::string ssh_passphrase_file;
  std::string known_hosts_file;  // required for ssh: unknown or changed host keys are refused
};

struct GitSourceOptions {
  std::string repo;           // local path, file://, https://, ssh:// or git@host:org/repo
  std::string ref = "main";   // branch, tag, full or short commit id
  std::string path;           // subdirectory holding the manifests ("" = repository root)
  std::string cache_dir;      // parent of the bare clones (one sub-directory per URL)
  GitCredentials credentials;
  load::LoadLimits limits;
};

// A remote repository tracked at a ref: cloned once (bare) into the cache, then fetched;
// manifests are read straight from the commit's tree, never checked out. Not thread-safe:
// one caller at a time (the controller's pass).
class GitSource final : public Source {
 public:
  // Validates the address, the path and the credential settings (no network). Terminal errors
  // (INVALID_REPO_URL, INVALID_PATH, MISSING_KNOWN_HOSTS, ...) mean the configuration is wrong.
  static Result<std::unique_ptr<GitSource>> open(GitSourceOptions options);

  // fetch() then read the commit `ref` resolves to.
  Result<std::shared_ptr<const Snapshot>> snapshot(std::stop_token stop = {}) override;
  std::string describe() const override;

  // Network step only: clone on first use, then fetch branches and tags (pruning deleted ones).
  // Transient GIT_FETCH_FAILED for network trouble, terminal for auth/certificate failures.
  Result<void> fetch(std::stop_token stop = {});

  // Commit id that `ref` names in the local cache (remote branch, tag, full or short id).
  // Terminal REF_NOT_FOUND if none.
  Result<std::string> resolve() const;

  // The manifests of `commit` (full id) under the configured path.
  Result<std::shared_ptr<const Snapshot>> read(const std::string& commit);

  const std::string& cache_path() const { return m_cache_path; }
  const RepoUrl& url() const { return m_url; }

  ~GitSource() override;
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

 private:
  GitSource(GitSourceOptions options, RepoUrl url, std::string subpath);
  Result<void> open_cache();

  struct Impl;
  GitSourceOptions m_options;
  RepoUrl m_url;
  std::string m_subpath;
  std::string m_cache_path;
  std::unique_ptr<Impl> m_impl;
  std::shared_ptr<Snapshot> m_last;  // handed out as const; consumed by the next read once nobody holds it
};

}  // namespace plumb::source
