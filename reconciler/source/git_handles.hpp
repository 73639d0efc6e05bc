#pragma once
// Internal to plumb_source: RAII owners for libgit2 objects and the translation of libgit2
// return codes into plumb::Error. Nothing outside reconciler/source includes this header.
#include <memory>
#include <string>
#include <string_view>

#include <git2.h>

#include "reconciler/util/error.hpp"

namespace plumb::source::detail {

// Initialises libgit2 once per process (thread-safe); every entry point calls it first.
void ensure_libgit2();

template <class T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};

using RepoPtr = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using CommitPtr = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;
using ObjectPtr = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, GitDeleter<git_reference, git_reference_free>>;
using OdbPtr = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;

// The last libgit2 error message for this thread, or a generic text for `code`.
std::string last_git_message(int code);

// A plumb::Error for a failed libgit2 call: network/TLS/SSH failures are transient, bad
// credentials or certificates and missing objects are terminal. `what` says what was tried.
Error to_error(int code, std::string_view error_code, std::string_view what);

// Hex of an object id.
std::string oid_hex(const git_oid& oid);

}  // namespace plumb::source::detail
