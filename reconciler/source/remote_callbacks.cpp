#include "reconciler/source/remote_callbacks.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "reconciler/source/known_hosts.hpp"

namespace plumb::source::detail {

namespace {

Result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::terminal, "GIT_CREDENTIALS", std::string(what) + " file `" + path + "` cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string first_line(std::string text) {
  auto nl = text.find_first_of("\r\n");
  if (nl != std::string::npos) text.resize(nl);
  return text;
}

int refuse(FetchContext& ctx, std::string why, ErrorKind kind = ErrorKind::terminal) {
  ctx.failure = std::move(why);
  ctx.failure_kind = kind;
  return GIT_EUSER;
}

int https_credential(git_credential** out, FetchContext& ctx) {
  if (ctx.url->transport != Transport::https) {
    return refuse(ctx, "the server asks for credentials over plain http; plumb sends tokens only over https");
  }
  auto token = read_token(*ctx.credentials);
  if (!token) return refuse(ctx, token.error().message);
  if (token->empty()) return refuse(ctx, "the server asks for credentials; configure a token file or variable");
  const std::string user = ctx.credentials->username.empty() ? "x-access-token" : ctx.credentials->username;
  return git_credential_userpass_plaintext_new(out, user.c_str(), token->c_str());
}

int ssh_credential(git_credential** out, const char* username_from_url, unsigned allowed, FetchContext& ctx) {
  const GitCredentials& c = *ctx.credentials;
  std::string user = !c.username.empty() ? c.username : (username_from_url ? username_from_url : "git");
  if (allowed & GIT_CREDENTIAL_USERNAME) return git_credential_username_new(out, user.c_str());
  if (!(allowed & GIT_CREDENTIAL_SSH_KEY)) return refuse(ctx, "the ssh server accepts no key authentication");
  if (c.ssh_key_file.empty()) return refuse(ctx, "ssh needs a private key file");
  std::string passphrase;
  if (!c.ssh_passphrase_file.empty()) {
    auto p = read_file(c.ssh_passphrase_file, "ssh passphrase");
    if (!p) return refuse(ctx, p.error().message);
    passphrase = first_line(*p);
  }
  return git_credential_ssh_key_new(out, user.c_str(), nullptr, c.ssh_key_file.c_str(),
                                    passphrase.empty() ? nullptr : passphrase.c_str());
}

int on_credentials(git_credential** out, const char* /*url*/, const char* username_from_url, unsigned int allowed,
                   void* payload) {
  auto& ctx = *static_cast<FetchContext*>(payload);
  // libgit2 asks again after a rejected credential; a second ask means it was wrong.
  if (++ctx.credential_attempts > 2) return refuse(ctx, "authentication failed: credentials rejected by the server");
  if (ctx.url->transport == Transport::ssh) return ssh_credential(out, username_from_url, allowed, ctx);
  if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) return https_credential(out, ctx);
  return refuse(ctx, "the server asks for an unsupported authentication method");
}

int check_ssh_host(const git_cert_hostkey& key, const char* host, FetchContext& ctx) {
  if (!(key.type & GIT_CERT_SSH_RAW)) return refuse(ctx, "the ssh host key is not available for checking");
  const std::string& file = ctx.credentials->known_hosts_file;
  auto text = read_file(file, "known_hosts");
  if (!text) return refuse(ctx, text.error().message);
  const int port = ctx.url->port > 0 ? ctx.url->port : 22;
  auto verdict = check_known_host(*text, host ? host : ctx.url->host, port, std::string_view(key.hostkey, key.hostkey_len));
  switch (verdict) {
    case HostKeyVerdict::match: return 0;
    case HostKeyVerdict::unknown:
      return refuse(ctx, "ssh host `" + std::string(host ? host : "") + "` is not in " + file +
                             " (add it with ssh-keyscan after checking its fingerprint)");
    case HostKeyVerdict::mismatch:
      return refuse(ctx, "ssh host key of `" + std::string(host ? host : "") + "` does not match " + file +
                             " (possible man in the middle)");
    case HostKeyVerdict::revoked: return refuse(ctx, "ssh host key is marked @revoked in " + file);
  }
  return GIT_EUSER;
}

int on_certificate(git_cert* cert, int valid, const char* host, void* payload) {
  auto& ctx = *static_cast<FetchContext*>(payload);
  if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) {
    return check_ssh_host(*reinterpret_cast<const git_cert_hostkey*>(cert), host, ctx);
  }
  // TLS: libgit2 (mbedTLS) already verified the chain and host name; never override a failure.
  if (valid) return 0;
  return refuse(ctx, "TLS certificate of `" + std::string(host ? host : "") + "` is not valid");
}

int on_transfer(const git_indexer_progress*, void* payload) {
  auto& ctx = *static_cast<FetchContext*>(payload);
  if (ctx.stop.stop_requested()) return refuse(ctx, "fetch cancelled (shutting down)", ErrorKind::transient);
  return 0;
}

int on_sideband(const char*, int, void* payload) { return on_transfer(nullptr, payload); }

}  // namespace

git_remote_callbacks make_callbacks(FetchContext& ctx) {
  git_remote_callbacks cb;
  git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
  cb.credentials = on_credentials;
  cb.certificate_check = on_certificate;
  cb.transfer_progress = on_transfer;
  cb.sideband_progress = on_sideband;
  cb.payload = &ctx;
  return cb;
}

Result<std::string> read_token(const GitCredentials& credentials) {
  if (!credentials.token_file.empty()) {
    auto text = read_file(credentials.token_file, "token");
    if (!text) return text;
    return first_line(std::move(*text));
  }
  if (!credentials.token_env.empty()) {
    const char* v = std::getenv(credentials.token_env.c_str());
    return std::string(v ? v : "");
  }
  return std::string();
}

}  // namespace plumb::source::detail
