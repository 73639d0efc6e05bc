#pragma once
#include <string>
#include <string_view>

#include "reconciler/util/error.hpp"

namespace plumb::source {

// How a repository is reached. `local` is a plain path; scp-style `git@host:org/repo` is ssh.
enum class Transport { local, file, https, http, ssh };

std::string_view transport_name(Transport transport);

// A classified repository address: `url` is what libgit2 is given (a local path made
// absolute), `host`/`user` are filled for ssh/https. Not for display of secrets: a URL with
// an embedded password is refused by parse_repo_url.
struct RepoUrl {
  Transport transport = Transport::local;
  std::string url;
  std::string host;
  std::string user;  // from `user@host`, "" if absent
  int port = 0;      // from `host:port` in a URL, 0 = the transport's default
};

// Classifies `text` (local path, file://, https://, http://, ssh://, scp-style). Refuses
// unknown schemes and credentials embedded in the URL (they would end up in logs) with a
// terminal INVALID_REPO_URL error.
Result<RepoUrl> parse_repo_url(std::string_view text);

// A stable directory name for the cache of `url`: hex SHA-256 prefix of the normalised URL.
std::string cache_key(const RepoUrl& url);

}  // namespace plumb::source
