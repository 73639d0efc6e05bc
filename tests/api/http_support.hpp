#pragma once
#include <chrono>
#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "api/server.hpp"

namespace plumb::api::testing {

using Json = nlohmann::json;

// A config for tests: loopback, ephemeral port, quick deadlines, a fixed admin token.
ApiConfig test_config(const std::string& database_url = "postgresql:///nonexistent?host=/nonexistent");

inline const std::string k_admin = "admin-token-for-tests-0123456789";

// Starts a server or fails the test.
std::unique_ptr<Server> start(ApiConfig config, ControllerHooks hooks = {});

// A client for `server` with short timeouts.
std::unique_ptr<httplib::Client> client(const Server& server);

// Headers with "Authorization: Bearer <token>" (plus optional extras).
httplib::Headers bearer(const std::string& token, httplib::Headers extra = {});

// Parses a response body as JSON (null on failure).
Json body_json(const httplib::Result& result);

// A connected TCP socket to 127.0.0.1:port, or -1.
int connect_loopback(int port);

// Sends `data` on `fd` and reads until the peer closes or `timeout` passes; returns what was read.
std::string exchange(int fd, const std::string& data, std::chrono::milliseconds timeout);

}  // namespace plumb::api::testing
