#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "reconciler/controller/controller.hpp"
#include "reconciler/controller/pg_session.hpp"
#include "reconciler/store/store.hpp"

namespace plumb::controller {

// Where a controller keeps its state: one PostgreSQL database (three sessions: the store's,
// the leader-election session and the LISTEN session) and the advisory lock key to elect on.
// With the default key and a schema other than `plumb`, the key is derived from the schema, so
// two plumb installations in one database elect their leaders independently.
struct PostgresWiring {
  std::string database_url;
  store::StoreOptions store;
  std::int64_t leader_key = k_default_leader_key;
};

// The advisory lock key `wiring` elects on (see above).
std::int64_t leader_key_for(const PostgresWiring& wiring);

// The Seams `plumb run` uses: `source` plus factories that (re)connect the three sessions on
// demand. Does not connect anything yet.
Seams postgres_seams(std::unique_ptr<source::Source> source, const PostgresWiring& wiring);

}  // namespace plumb::controller
