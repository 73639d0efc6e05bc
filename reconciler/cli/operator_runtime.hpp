#pragma once
#include <memory>
#include <string>

#include "api/config.hpp"
#include "reconciler/controller/controller.hpp"
#include "reconciler/source/source.hpp"
#include "reconciler/store/store.hpp"

namespace plumb::cli {

// Everything `plumb run` and `plumb dev` share: the controller reconciling `source` into the
// database, and the REST API serving it, until SIGINT/SIGTERM.
struct RuntimeConfig {
  std::string database_url;
  store::StoreOptions store;
  controller::ControllerOptions controller;
  api::ApiConfig api;
  // Called once both are up (plumb dev prints its welcome text here).
  std::function<void(int port)> on_ready;
};

// Runs until a shutdown signal, then stops the API and the controller cleanly (the pass in
// progress finishes or rolls back, the leader lock is released). Returns the exit code.
// Call block_shutdown_signals() before any thread is started.
int serve(RuntimeConfig config, std::unique_ptr<source::Source> source);

// "HOST:PORT" (or ":PORT", "[::1]:PORT") -> host and port; false if malformed.
bool parse_listen(const std::string& listen, std::string& host, int& port);

// A key derived from the token key for purposes that must agree across replicas (cursor MACs);
// random when there is no token key (then cursors do not survive a restart).
std::string derived_key(const std::string& token_key, const std::string& purpose);

}  // namespace plumb::cli
