#include "reconciler/util/error.hpp"

namespace plumb {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::transient: return "transient";
    case ErrorKind::terminal: return "terminal";
    case ErrorKind::conflict: return "conflict";
  }
  return "terminal";
}

}  // namespace plumb
