#pragma once
#include <optional>
#include <string>
#include <vector>

namespace plumb::api {

// Opaque pagination cursors: {scope, tenant, last sort key} serialised, base64url-encoded and
// MAC'd with the server key, so a client can neither forge one nor replay it on another route,
// filter set or tenant. Decoding anything else yields nullopt (the route answers 400 INVALID_CURSOR).
class CursorCodec {
 public:
  explicit CursorCodec(std::string key);

  // `scope` names the route and its filters; `tenant` the caller's visibility ("*" for admin).
  std::string encode(const std::string& scope, const std::string& tenant, const std::vector<std::string>& last_key) const;

  // The last key if `cursor` was minted by this server for exactly this scope and tenant.
  std::optional<std::vector<std::string>> decode(const std::string& cursor, const std::string& scope,
                                                 const std::string& tenant) const;

 private:
  std::string m_key;
};

}  // namespace plumb::api
