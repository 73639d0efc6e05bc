#pragma once
#include <string>
#include <string_view>

namespace plumb::source {

// The outcome of looking up a server's SSH host key in a known_hosts file.
enum class HostKeyVerdict {
  match,     // a line for this host lists exactly this key
  mismatch,  // the host is known, with other keys: possible man in the middle
  unknown,   // no line names this host
  revoked,   // the key is marked @revoked
};

std::string_view host_key_verdict_name(HostKeyVerdict verdict);

// Looks up `host` (and `port`, 22 = default; others are written `[host]:port`) with the raw
// SSH wire-format key `key_blob` in the OpenSSH known_hosts text. Understands plain and
// hashed (`|1|salt|hash`) host patterns, comma lists, `*`/`?` wildcards and negation, and
// `@revoked`; `@cert-authority` lines are ignored. Pure: the caller reads the file.
HostKeyVerdict check_known_host(std::string_view known_hosts, std::string_view host, int port,
                                std::string_view key_blob);

}  // namespace plumb::source
