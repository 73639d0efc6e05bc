#include "reconciler/source/repo_url.hpp"

#include <filesystem>

#include "reconciler/util/crypto.hpp"

namespace plumb::source {

std::string_view transport_name(Transport transport) {
  switch (transport) {
    case Transport::local: return "local";
    case Transport::file: return "file";
    case Transport::https: return "https";
    case Transport::http: return "http";
    case Transport::ssh: return "ssh";
  }
  return "unknown";
}

namespace {

tl::unexpected<Error> invalid(std::string_view text, std::string_view why) {
  return make_error(ErrorKind::terminal, "INVALID_REPO_URL",
                    "repository address `" + std::string(text) + "`: " + std::string(why));
}

// Splits "user@host[:port]" (the authority of a URL) into user and host; the port stays out.
void split_authority(std::string_view authority, RepoUrl& out) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    out.user = std::string(authority.substr(0, at));
    authority.remove_prefix(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {  // [ipv6]:port
    auto close = authority.find(']');
    out.host = std::string(authority.substr(1, close == std::string_view::npos ? authority.npos : close - 1));
    if (close != std::string_view::npos && close + 2 < authority.size() && authority[close + 1] == ':') {
      out.port = std::atoi(std::string(authority.substr(close + 2)).c_str());
    }
    return;
  }
  auto colon = authority.find(':');
  out.host = std::string(authority.substr(0, colon));
  if (colon != std::string_view::npos) {
    try {
      out.port = std::stoi(std::string(authority.substr(colon + 1)));
    } catch (const std::exception&) {
      out.port = -1;  // reported as invalid by the caller
    }
  }
}

Result<RepoUrl> parse_scheme_url(std::string_view text, std::string_view scheme, Transport transport) {
  RepoUrl out{transport, std::string(text), {}, {}};
  std::string_view rest = text.substr(scheme.size());
  std::string_view authority = rest.substr(0, rest.find('/'));
  split_authority(authority, out);
  if (out.user.find(':') != std::string::npos) {
    return invalid(text, "credentials in the URL are refused; use a token or key file");
  }
  if (out.host.empty()) return invalid(text, "no host");
  if (out.port < 0 || out.port > 65535) return invalid(text, "invalid port");
  return out;
}

// git's rule: `host:path` is scp-like when a ':' comes before any '/'.
bool is_scp_like(std::string_view text) {
  auto colon = text.find(':');
  auto slash = text.find('/');
  return colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash);
}

}  // namespace

Result<RepoUrl> parse_repo_url(std::string_view text) {
  if (text.empty()) return invalid(text, "empty");
  if (text.find('\0') != std::string_view::npos || text.find('\n') != std::string_view::npos) {
    return invalid(text, "control characters");
  }
  if (text.starts_with("https://")) return parse_scheme_url(text, "https://", Transport::https);
  if (text.starts_with("http://")) return parse_scheme_url(text, "http://", Transport::http);
  if (text.starts_with("ssh://")) return parse_scheme_url(text, "ssh://", Transport::ssh);
  if (text.starts_with("file://")) return RepoUrl{Transport::file, std::string(text), {}, {}};
  if (text.find("://") != std::string_view::npos) {
    return invalid(text, "unsupported scheme (use a path, file://, https:// or ssh://)");
  }
  if (is_scp_like(text)) {
    RepoUrl out{Transport::ssh, std::string(text), {}, {}};
    split_authority(text.substr(0, text.find(':')), out);
    if (out.host.empty()) return invalid(text, "no host");
    return out;
  }
  std::error_code ec;
  auto abs = std::filesystem::absolute(std::filesystem::path(text), ec);
  if (ec) return invalid(text, ec.message());
  std::string path = abs.lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return RepoUrl{Transport::local, path, {}, {}};
}

std::string cache_key(const RepoUrl& url) {
  return crypto::sha256_hex(std::string(transport_name(url.transport)) + "\n" + url.url).substr(0, 24);
}

}  // namespace plumb::source
