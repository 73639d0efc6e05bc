#pragma once
#include <memory>
#include <string>

#include "reconciler/controller/ports.hpp"
#include "reconciler/store/store.hpp"

namespace plumb::controller {

// The production StatePort: one plumb::store::Store connection (opened by this call), used by
// the controller's loop thread only. Transient DB_UNAVAILABLE if the database cannot be
// reached, terminal NOT_MIGRATED if the schema is missing.
Result<std::unique_ptr<StatePort>> connect_store_port(const std::string& database_url,
                                                      const store::StoreOptions& options);

// sync_runs.counts for a plan: {"create", "update", "delete", "unchanged", "skipped"}.
nlohmann::json plan_counts(const plan::Plan& plan);

}  // namespace plumb::controller
