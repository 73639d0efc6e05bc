#pragma once
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace plumb::cli {

// Hands `value` over to be freed by process exit, that is by the kernel at once, instead of
// node by node: destroying a 100k-resource plan or desired state costs a one-shot command a few
// hundred milliseconds for nothing (clang's -disable-free and LLVM's BuryPointer do the same).
// The value stays reachable from a global, so LeakSanitizer does not report it. For commands
// about to return from main only; call it on the main thread.
template <class T>
void keep_until_exit(T&& value) {
  static auto* kept = new std::vector<std::shared_ptr<void>>();  // deliberately never destroyed
  kept->push_back(std::make_shared<std::decay_t<T>>(std::forward<T>(value)));
}

}  // namespace plumb::cli
