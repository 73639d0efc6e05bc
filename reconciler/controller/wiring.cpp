#include "reconciler/controller/wiring.hpp"

#include "reconciler/controller/store_port.hpp"

namespace plumb::controller {

std::int64_t leader_key_for(const PostgresWiring& wiring) {
  if (wiring.leader_key != k_default_leader_key || wiring.store.schema == store::k_default_schema) {
    return wiring.leader_key;
  }
  // FNV-1a of the schema name, mixed into the default key.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : wiring.store.schema) h = (h ^ c) * 1099511628211ull;
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(k_default_leader_key) ^ (h << 8));
}

Seams postgres_seams(std::unique_ptr<source::Source> source, const PostgresWiring& wiring) {
  const std::int64_t key = leader_key_for(wiring);
  Seams seams;
  seams.source = std::move(source);
  seams.connect_state = [wiring] { return connect_store_port(wiring.database_url, wiring.store); };
  seams.connect_lock = [wiring, key] { return connect_leader_lock(wiring.database_url, key); };
  seams.connect_feed = [wiring] { return connect_change_feed(wiring.database_url); };
  return seams;
}

}  // namespace plumb::controller
