#include "reconciler/source/directory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace plumb::source {
namespace fs = std::filesystem;
namespace {

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

  std::size_t total = 0;
  for (const fs::path& path : candidates) {
    fs::path relative = path.lexically_relative(root);
    std::string shown = display_path(display_prefix, relative);
    if (set.files.size() >= limits.max_files) {
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
    load::SourceFile file{shown, {}};
    std::string why;
    if (!read_regular_file(path, limits.max_file_bytes, file.content, why)) {
      set.diagnostics.error(why == "it is a symlink" ? "SYMLINK_REFUSED" : "UNREADABLE_FILE",
                            "cannot read the file: " + why, {shown, 0, 0});
      continue;
    }
    total += file.content.size();
    set.files.push_back(std::move(file));
  }
  return set;
}

}  // namespace plumb::source
