#pragma once
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace plumb {

// How a caller should react to an expected runtime failure (Git unreachable, database down,
// serialization conflict). Problems in the user's *input* are Diagnostics, not Errors.
enum class ErrorKind {
  transient,  // retry later with backoff: network, database restart, lock timeout
  terminal,   // retrying will not help until something changes: bad credentials, missing ref
  conflict,   // someone else moved first: stale plan, lost leadership, serialization failure
};

// An expected runtime failure: a stable machine-readable code and a message for people.
struct Error {
  ErrorKind kind = ErrorKind::terminal;
  std::string code;     // e.g. "DB_UNAVAILABLE", "STALE_PLAN", "GIT_FETCH_FAILED"
  std::string message;  // what happened and, where possible, how to fix it
};

inline tl::unexpected<Error> make_error(ErrorKind kind, std::string code, std::string message) {
  return tl::unexpected<Error>(Error{kind, std::move(code), std::move(message)});
}

template <class T>
using Result = tl::expected<T, Error>;

std::string_view error_kind_name(ErrorKind kind);

}  // namespace plumb
