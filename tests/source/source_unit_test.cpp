#include <catch2/catch.hpp>

#include "reconciler/source/known_hosts.hpp"
#include "reconciler/source/repo_url.hpp"
#include "reconciler/source/subpath.hpp"
#include "tests/source/git_fixture.hpp"

using namespace plumb;
using namespace plumb::source;

TEST_CASE("repository addresses are classified by transport", "[source]") {
  CHECK(parse_repo_url("https://github.com/org/config.git")->transport == Transport::https);
  CHECK(parse_repo_url("https://github.com/org/config.git")->host == "github.com");
  CHECK(parse_repo_url("file:///srv/config")->transport == Transport::file);
  auto ssh = parse_repo_url("ssh://git@git.example.com:2222/org/config.git");
  REQUIRE(ssh);
  CHECK(ssh->transport == Transport::ssh);
  CHECK(ssh->host == "git.example.com");
  CHECK(ssh->user == "git");
  CHECK(ssh->port == 2222);
  auto scp = parse_repo_url("git@github.com:org/config.git");
  REQUIRE(scp);
  CHECK(scp->transport == Transport::ssh);
  CHECK(scp->host == "github.com");
  auto local = parse_repo_url("/srv/config/");
  REQUIRE(local);
  CHECK(local->transport == Transport::local);
  CHECK(local->url == "/srv/config");
  CHECK(parse_repo_url("relative/dir")->url.front() == '/');
}

TEST_CASE("repository addresses with embedded passwords or unknown schemes are refused", "[source]") {
  auto pw = parse_repo_url("https://user:secret@github.com/org/repo");
  REQUIRE_FALSE(pw);
  CHECK(pw.error().code == "INVALID_REPO_URL");
  CHECK(pw.error().kind == ErrorKind::terminal);
  CHECK_FALSE(parse_repo_url("ftp://host/repo"));
  CHECK_FALSE(parse_repo_url(""));
  CHECK_FALSE(parse_repo_url("https:///nohost"));
}

TEST_CASE("the cache key is stable per address and differs between addresses", "[source]") {
  auto a = *parse_repo_url("https://github.com/org/a");
  auto b = *parse_repo_url("https://github.com/org/b");
  CHECK(cache_key(a) == cache_key(*parse_repo_url("https://github.com/org/a")));
  CHECK(cache_key(a) != cache_key(b));
  CHECK(cache_key(a).size() == 24);
}

TEST_CASE("a configured path is normalised and may never climb out of the root", "[source]") {
  CHECK(*normalize_subpath("") == "");
  CHECK(*normalize_subpath(".") == "");
  CHECK(*normalize_subpath("./clusters//prod/") == "clusters/prod");
  for (const char* bad : {"..", "../x", "a/../../b", "a/..", "/etc", "a\\b"}) {
    auto r = normalize_subpath(bad);
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "INVALID_PATH");
  }
}

TEST_CASE("only .yaml and .yml files are manifests", "[source]") {
  CHECK(is_manifest_name("a.yaml"));
  CHECK(is_manifest_name("a.yml"));
  CHECK_FALSE(is_manifest_name(".yaml"));
  CHECK_FALSE(is_manifest_name("a.json"));
  CHECK_FALSE(is_manifest_name("a.yaml.bak"));
}

namespace {

// A real host key pair made by ssh-keygen, and the wire blob known_hosts stores in base64.
struct HostKey {
  std::string line_key;  // "ssh-ed25519 AAAA..."
  std::string blob;      // decoded
};

HostKey make_host_key(const testing::TempDir& dir, const std::string& name) {
  auto path = dir.path() / name;
  testing::run("ssh-keygen -q -t ed25519 -N '' -f " + testing::shell_quote(path.string()));
  std::string pub = testing::run("cat " + testing::shell_quote(path.string() + ".pub"));
  auto sp1 = pub.find(' ');
  auto sp2 = pub.find(' ', sp1 + 1);
  std::string b64 = pub.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string blob = testing::run("printf %s " + b64 + " | base64 -d | od -An -v -tx1 | tr -d ' \\n'");
  std::string raw;
  for (std::size_t i = 0; i + 1 < blob.size(); i += 2) raw += static_cast<char>(std::stoi(blob.substr(i, 2), nullptr, 16));
  return HostKey{pub.substr(0, sp2), raw};
}

}  // namespace

TEST_CASE("known_hosts accepts only the listed key of a host", "[source]") {
  testing::TempDir dir("plumb-kh");
  auto key = make_host_key(dir, "k1");
  auto other = make_host_key(dir, "k2");
  std::string text = "# comment\ngit.example.com,10.0.0.1 " + key.line_key + "\n[alt.example.com]:2222 " +
                     key.line_key + "\n";
  CHECK(check_known_host(text, "git.example.com", 22, key.blob) == HostKeyVerdict::match);
  CHECK(check_known_host(text, "git.example.com", 22, other.blob) == HostKeyVerdict::mismatch);
  CHECK(check_known_host(text, "evil.example.com", 22, key.blob) == HostKeyVerdict::unknown);
  CHECK(check_known_host(text, "alt.example.com", 2222, key.blob) == HostKeyVerdict::match);
  CHECK(check_known_host(text, "alt.example.com", 22, key.blob) == HostKeyVerdict::unknown);
  CHECK(check_known_host("", "git.example.com", 22, key.blob) == HostKeyVerdict::unknown);
  std::string revoked = text + "@revoked * " + key.line_key + "\n";
  CHECK(check_known_host(revoked, "git.example.com", 22, key.blob) == HostKeyVerdict::revoked);
}

TEST_CASE("known_hosts understands hashed host names as written by ssh-keygen -H", "[source]") {
  testing::TempDir dir("plumb-kh");
  auto key = make_host_key(dir, "k1");
  auto file = dir.path() / "known_hosts";
  testing::write_file(file, "git.example.com " + key.line_key + "\n");
  testing::run("ssh-keygen -q -H -f " + testing::shell_quote(file.string()));
  std::string hashed = testing::run("cat " + testing::shell_quote(file.string()));
  REQUIRE(hashed.rfind("|1|", 0) == 0);
  CHECK(check_known_host(hashed, "git.example.com", 22, key.blob) == HostKeyVerdict::match);
  CHECK(check_known_host(hashed, "other.example.com", 22, key.blob) == HostKeyVerdict::unknown);
}
