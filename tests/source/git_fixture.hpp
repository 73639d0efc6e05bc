#pragma once
// Test helpers shared by tests/source, tests/controller and tests/e2e: temporary directories
// and real Git repositories built with the `git` command line (no libgit2 in the fixture, so
// the code under test does not check itself).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

namespace plumb::testing {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "plumb") {
    std::string tmpl = (std::filesystem::temp_directory_path() / (tag + "-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  std::string str() const { return m_path.string(); }

 private:
  std::filesystem::path m_path;
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; returns its stdout (trimmed of the final newline). Throws on failure.
inline std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  if (status != 0) throw std::runtime_error("command failed: " + command);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

inline void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

// A non-bare repository with branch `main`, driven through the git CLI.
class GitRepo {
 public:
  explicit GitRepo(std::filesystem::path dir) : m_dir(std::move(dir)) {
    std::filesystem::create_directories(m_dir);
    git("init -q -b main");
  }
  const std::filesystem::path& dir() const { return m_dir; }
  std::string url() const { return "file://" + m_dir.string(); }

  std::string git(const std::string& args) const {
    return run("git -C " + shell_quote(m_dir.string()) +
               " -c user.name=plumb-test -c user.email=test@plumb.invalid -c commit.gpgsign=false "
               "-c core.autocrlf=false " + args);
  }
  void write(const std::string& rel, const std::string& content) const { write_file(m_dir / rel, content); }
  void remove(const std::string& rel) const { git("rm -q -r " + shell_quote(rel)); }
  // Stages everything and commits; returns the new commit id.
  std::string commit(const std::string& message) const {
    git("add -A");
    git("commit -q --allow-empty -m " + shell_quote(message));
    return head();
  }
  std::string head() const { return git("rev-parse HEAD"); }

 private:
  std::filesystem::path m_dir;
};

}  // namespace plumb::testing
