#pragma once
#include <chrono>

namespace plumb::cli {

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards, so
// they can be received synchronously by wait_for_shutdown(). Call first thing in run/dev.
void block_shutdown_signals();

// Waits up to `timeout` for SIGINT/SIGTERM. Returns true if one arrived.
bool wait_for_shutdown(std::chrono::milliseconds timeout);

}  // namespace plumb::cli
