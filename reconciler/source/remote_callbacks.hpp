#pragma once
// Internal to plumb_source: the libgit2 callbacks of a fetch (credentials, host key and
// certificate checks, cancellation) and the state they share.
#include <stop_token>
#include <string>

#include "reconciler/source/git_handles.hpp"
#include "reconciler/source/git_source.hpp"

namespace plumb::source::detail {

// Payload of one fetch. `failure` records why a callback refused, so the resulting Error says
// "host key for x is not in known_hosts" rather than libgit2's generic text.
struct FetchContext {
  const GitCredentials* credentials = nullptr;
  const RepoUrl* url = nullptr;
  std::stop_token stop;
  int credential_attempts = 0;
  std::string failure;
  ErrorKind failure_kind = ErrorKind::terminal;
};

// Callbacks wired to `ctx` (which must outlive the fetch).
git_remote_callbacks make_callbacks(FetchContext& ctx);

// First line of a secret file, or the environment variable; "" if neither is set.
Result<std::string> read_token(const GitCredentials& credentials);

}  // namespace plumb::source::detail
