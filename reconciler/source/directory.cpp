#include "reconciler/source/directory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

namespace plumb::source {
namespace fs = std::filesystem;
namespace {

// Threads reading files at once: reads mostly wait (for the disk, or copy from the page cache),
// so more than the cores help; each thread holds one file at a time.
constexpr std::size_t k_max_read_threads = 4;

bool is_manifest_name(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

bool is_hidden(const fs::path& path) {
  auto name = path.filename().string();
  return !name.empty() && name[0] == '.' && name != "." && name != "..";
}

std::string display_path(const std::string& prefix, const fs::path& relative) {
  std::string rel = relative.generic_string();
  return prefix.empty() ? rel : prefix + "/" + rel;
}

// Opens without following a final symlink (O_NOFOLLOW) and re-checks type and size on the open
// descriptor, so a file swapped for a symlink after the directory walk is still refused.
bool read_regular_file(const fs::path& path, std::size_t max_bytes, std::string& out, std::string& why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = errno == ELOOP ? "it is a symlink" : std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!ok) why = "it is not a regular file";
  if (ok && static_cast<std::size_t>(st.st_size) > max_bytes) {
    ok = false;
    why = "it is larger than the limit";
  }
  if (ok) {
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    out.resize(done);
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string display_prefix_for(const std::string& argument) {
  std::string out = argument;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  while (out.rfind("./", 0) == 0) out.erase(0, 2);
  if (out == "." || out.empty()) return "";
  return out;
}

Result<FileSet> read_directory(const fs::path& root, const load::LoadLimits& limits,
                               const std::string& display_prefix) {
  std::error_code ec;
  auto root_status = fs::symlink_status(root, ec);
  if (ec || !fs::exists(root_status)) {
    return make_error(ErrorKind::terminal, "DIRECTORY_NOT_FOUND",
                      "config directory '" + root.string() + "' does not exist");
  }
  if (!fs::is_directory(fs::status(root, ec))) {
    return make_error(ErrorKind::terminal, "NOT_A_DIRECTORY", "'" + root.string() + "' is not a directory");
  }

  FileSet set;
  std::vector<fs::path> candidates;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) {
    return make_error(ErrorKind::terminal, "DIRECTORY_UNREADABLE",
                      "cannot read '" + root.string() + "': " + ec.message());
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      set.diagnostics.error("UNREADABLE_FILE", "cannot read a directory entry: " + ec.message(),
                            {display_prefix, 0, 0});
      break;
    }
    const fs::path& path = it->path();
    if (is_hidden(path)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    fs::path relative = path.lexically_relative(root);
    if (it->is_symlink(ec)) {
      // A symlinked directory could smuggle in manifests from anywhere; a symlinked manifest
      // could point outside the root. Both are refused; other symlinks are not manifests.
      bool target_is_dir = fs::is_directory(fs::status(path, ec));
      if (is_manifest_name(path) || target_is_dir) {
        set.diagnostics.error("SYMLINK_REFUSED", "symlinks are not followed: '" + relative.generic_string() +
                                                     "' is a symlink",
                              {display_path(display_prefix, relative), 0, 0}, "",
                              "replace the symlink with the file itself");
      }
      continue;
    }
    if (it->is_regular_file(ec) && is_manifest_name(path)) candidates.push_back(path);
  }
  std::sort(candidates.begin(), candidates.end());

  // The limits are decided in path order, by size on disk; then the chosen files are read on
  // several threads (opening and reading 14,000 files one by one was a fifth of validating
  // them, much of it waiting for the disk); then they join the set in path order.
  struct Chosen {
    const fs::path* path;
    std::string shown;
  };
  std::vector<Chosen> chosen;
  std::size_t total = 0;
  for (const fs::path& path : candidates) {
    std::string shown = display_path(display_prefix, path.lexically_relative(root));
    if (chosen.size() >= limits.max_files) {
      set.diagnostics.error("TOO_MANY_FILES",
                            "more than " + std::to_string(limits.max_files) + " manifest files; the rest were not read",
                            {shown, 0, 0});
      break;
    }
    std::error_code size_ec;
    auto size = fs::file_size(path, size_ec);
    if (!size_ec && size > limits.max_file_bytes) {
      set.diagnostics.error("FILE_TOO_LARGE",
                            "file is " + std::to_string(size) + " bytes, over the limit of " +
                                std::to_string(limits.max_file_bytes) + " bytes",
                            {shown, 0, 0}, "", "split it into several files");
      continue;
    }
    if (!size_ec && total + size > limits.max_total_bytes) {
      set.diagnostics.error("TOTAL_SIZE_EXCEEDED",
                            "manifests exceed the total limit of " + std::to_string(limits.max_total_bytes) + " bytes",
                            {shown, 0, 0});
      break;
    }
    if (!size_ec) total += size;
    chosen.push_back({&path, std::move(shown)});
  }

  std::vector<std::string> contents(chosen.size()), why(chosen.size());
  std::vector<char> read_ok(chosen.size(), 0);
  std::atomic<std::size_t> next{0};
  auto reader = [&] {
    for (std::size_t i = next++; i < chosen.size(); i = next++) {
      read_ok[i] = read_regular_file(*chosen[i].path, limits.max_file_bytes, contents[i], why[i]);
    }
  };
  const std::size_t threads = std::min<std::size_t>(k_max_read_threads, chosen.size() / 64 + 1);
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(reader);
  reader();
  for (auto& w : workers) w.join();

  set.files.reserve(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (!read_ok[i]) {
      set.diagnostics.error(why[i] == "it is a symlink" ? "SYMLINK_REFUSED" : "UNREADABLE_FILE",
                            "cannot read the file: " + why[i], {chosen[i].shown, 0, 0});
      continue;
    }
    set.files.push_back({std::move(chosen[i].shown), std::move(contents[i])});
  }
  return set;
}

}  // namespace plumb::source
