#include "reconciler/source/known_hosts.hpp"

#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace plumb::source {

std::string_view host_key_verdict_name(HostKeyVerdict verdict) {
  switch (verdict) {
    case HostKeyVerdict::match: return "match";
    case HostKeyVerdict::mismatch: return "mismatch";
    case HostKeyVerdict::unknown: return "unknown";
    case HostKeyVerdict::revoked: return "revoked";
  }
  return "unknown";
}

namespace {

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool base64_decode(std::string_view in, std::string& out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  out.assign(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return false;
  std::size_t pad = 0;
  if (in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return true;
}

// Glob with `*` and `?`, as OpenSSH matches host patterns.
bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (std::size_t i = 0; i <= text.size(); ++i) {
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() != '?' && pattern.front() != text.front()) return false;
  return glob_match(pattern.substr(1), text.substr(1));
}

// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
bool hashed_match(std::string_view pattern, const std::string& name) {
  pattern.remove_prefix(3);
  auto bar = pattern.find('|');
  if (bar == std::string_view::npos) return false;
  std::string salt, want;
  if (!base64_decode(pattern.substr(0, bar), salt) || !base64_decode(pattern.substr(bar + 1), want)) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()), reinterpret_cast<const unsigned char*>(name.data()),
       name.size(), mac, &len);
  return want.size() == len && std::equal(want.begin(), want.end(), reinterpret_cast<const char*>(mac));
}

// True if the comma-separated host field names `name`; a negated pattern that matches wins.
bool hosts_match(std::string_view field, const std::string& name) {
  if (field.starts_with("|1|")) return hashed_match(field, name);
  bool matched = false;
  while (!field.empty()) {
    auto comma = field.find(',');
    std::string_view pat = field.substr(0, comma);
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    const bool negated = !pat.empty() && pat.front() == '!';
    if (negated) pat.remove_prefix(1);
    if (glob_match(pat, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

}  // namespace

HostKeyVerdict check_known_host(std::string_view known_hosts, std::string_view host, int port,
                                std::string_view key_blob) {
  const std::string name = port == 22 || port <= 0 ? std::string(host)
                                                   : "[" + std::string(host) + "]:" + std::to_string(port);
  bool host_seen = false;
  bool key_seen = false;
  while (!known_hosts.empty()) {
    auto nl = known_hosts.find('\n');
    std::string_view line = known_hosts.substr(0, nl);
    known_hosts = nl == std::string_view::npos ? std::string_view{} : known_hosts.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto fields = split_ws(line);
    if (fields.empty() || fields[0].front() == '#') continue;
    std::string_view marker;
    if (fields[0].front() == '@') {
      marker = fields[0];
      fields.erase(fields.begin());
    }
    if (fields.size() < 3 || marker == "@cert-authority" || !hosts_match(fields[0], name)) continue;
    std::string blob;
    const bool same_key = base64_decode(fields[2], blob) && blob == key_blob;
    if (marker == "@revoked") {
      if (same_key) return HostKeyVerdict::revoked;
      continue;
    }
    host_seen = true;
    key_seen = key_seen || same_key;
  }
  if (key_seen) return HostKeyVerdict::match;
  return host_seen ? HostKeyVerdict::mismatch : HostKeyVerdict::unknown;
}

}  // namespace plumb::source
