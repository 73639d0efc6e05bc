#pragma once
// Shared by the store's .cpp files only: the connection holder, error translation, schema
// substitution and token key derivation.
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "reconciler/store/store.hpp"

namespace plumb::store::detail {

// Maps a libpqxx/std exception to plumb::Error: transient for lost connections, shutdowns
// (57P01..), connection classes (08xxx) and lock timeouts; conflict for serialization failures
// and deadlocks (40001, 40P01); terminal otherwise. `what` names the operation for the message.
Error translate(const std::exception& error, std::string_view what);

// Runs `body`, translating any exception into an Error result.
template <class F>
auto guarded(std::string_view what, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& error) {
    return tl::unexpected<Error>(translate(error, what));
  }
}

// Replaces every `@schema@` in `sql` with `schema` (already validated as an identifier).
std::string with_schema(std::string_view sql, const std::string& schema);

// The two keys derived from the token key: HMAC key for secret_hash, and a 32-byte sealing key.
struct TokenKeys {
  std::string hmac_key;
  std::string seal_key;
};
TokenKeys derive_token_keys(const std::string& token_key);

// The refusal of a write or a token operation on a store opened with StoreOptions::read_only.
Error read_only_refusal(const std::string& what);

// Opens a connection with application_name set; throws like pqxx.
std::unique_ptr<pqxx::connection> connect(const std::string& url, const std::string& application_name);

// The canonical JSON text of a resource's body, and its spec hash (sha256 hex).
std::string spec_hash(const model::Resource& resource);

}  // namespace plumb::store::detail

namespace plumb::store {

struct Store::Impl {
  std::unique_ptr<pqxx::connection> conn;
  StoreOptions options;
  detail::TokenKeys keys;

  // `sql` with the schema substituted.
  std::string q(std::string_view sql) const { return detail::with_schema(sql, options.schema); }
};

}  // namespace plumb::store
