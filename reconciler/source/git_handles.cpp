#include "reconciler/source/git_handles.hpp"

#include <mutex>

#include <fmt/format.h>

namespace plumb::source::detail {

void ensure_libgit2() {
  // git_libgit2_init is reference counted; one call for the process lifetime is enough and we
  // never shut down, so objects freed during static destruction stay valid.
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string last_git_message(int code) {
  const ::git_error* e = git_error_last();
  if (e != nullptr && e->message != nullptr) return e->message;
  return fmt::format("libgit2 error {}", code);
}

namespace {

bool is_transient(int code, int klass) {
  if (code == GIT_EAUTH || code == GIT_ECERTIFICATE || code == GIT_ENOTFOUND) return false;
  if (code == GIT_ELOCKED || code == GIT_EEOF) return true;
  return klass == GIT_ERROR_NET || klass == GIT_ERROR_SSL || klass == GIT_ERROR_SSH ||
         klass == GIT_ERROR_HTTP || klass == GIT_ERROR_OS;
}

}  // namespace

Error to_error(int code, std::string_view error_code, std::string_view what) {
  const ::git_error* e = git_error_last();
  const int klass = e != nullptr ? e->klass : GIT_ERROR_NONE;
  Error err;
  err.kind = is_transient(code, klass) ? ErrorKind::transient : ErrorKind::terminal;
  err.code = std::string(error_code);
  err.message = fmt::format("{}: {}", what, last_git_message(code));
  return err;
}

std::string oid_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace plumb::source::detail
