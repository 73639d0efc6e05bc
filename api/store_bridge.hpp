#pragma once
#include <string>

#include "api/store_hooks.hpp"
#include "reconciler/store/store.hpp"

namespace plumb::api {

// StoreHooks over plumb::store for `plumb run` / `plumb dev`: each call opens its own Store
// connection (reveal and verify are rare; a Store is not thread-safe), so concurrent requests
// never share one. Library plumb_api_store, kept apart so plumb_api itself never links the store.
StoreHooks make_store_hooks(std::string database_url, store::StoreOptions options);

}  // namespace plumb::api
