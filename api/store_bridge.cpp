#include "api/store_bridge.hpp"

namespace plumb::api {

StoreHooks make_store_hooks(std::string database_url, store::StoreOptions options) {
  StoreHooks hooks;
  hooks.reveal_token = [database_url, options](const RevealRequest& request) -> Result<std::string> {
    auto db = store::Store::open(database_url, options);
    if (!db) return tl::unexpected(db.error());
    return db->reveal_token(request.tenant, request.name, request.actor, request.correlation_id, "api");
  };
  hooks.verify_audit = [database_url, options]() -> Result<AuditVerdict> {
    auto db = store::Store::open(database_url, options);
    if (!db) return tl::unexpected(db.error());
    auto result = db->verify_audit();
    if (!result) return tl::unexpected(result.error());
    return AuditVerdict{result->ok, result->checked, result->first_bad, result->reason};
  };
  return hooks;
}

}  // namespace plumb::api
