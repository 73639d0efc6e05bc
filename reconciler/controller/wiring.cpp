#include "reconciler/controller/wiring.hpp"

#include "reconciler/controller/store_port.hpp"

namespace plumb::controller {

Seams postgres_seams(std::unique_ptr<source::Source> source, const PostgresWiring& wiring) {
  Seams seams;
  seams.source = std::move(source);
  seams.connect_state = [wiring] { return connect_store_port(wiring.database_url, wiring.store); };
  seams.connect_lock = [wiring] { return connect_leader_lock(wiring.database_url, wiring.leader_key); };
  seams.connect_feed = [wiring] { return connect_change_feed(wiring.database_url); };
  return seams;
}

}  // namespace plumb::controller
