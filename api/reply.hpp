#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace plumb::api {

using Json = nlohmann::json;

// A failure to report in the error envelope; the server adds correlationId and timestamp.
struct ApiError {
  std::string code;     // stable, upper snake case: "RESOURCE_NOT_FOUND"
  std::string message;  // for people; never holds secrets
};

// What a route handler answers. Bodies are JSON unless content_type says otherwise.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<ApiError> error;  // set: the body is replaced by the envelope
  bool etag = false;              // 200 replies: add a strong ETag and honour If-None-Match
  std::string etag_value;         // precomputed ETag (cached bodies); computed from body if empty
};

// Compact JSON; invalid UTF-8 (from a query string or a database row) becomes U+FFFD instead of
// throwing.
std::string safe_dump(const Json& value);

// A JSON reply; `etag` marks a read whose body may be revalidated with If-None-Match.
Reply json_reply(int status, const Json& body, bool etag = false);

// An error reply with the envelope code and message.
Reply error_reply(int status, std::string code, std::string message);

// The envelope {"error": {code, message, correlationId, timestamp}} as compact JSON.
std::string render_error(const ApiError& error, const std::string& correlation_id);

// Now as "2026-01-15T10:00:00.000Z" (wall clock, UTC, milliseconds).
std::string utc_timestamp_now();

// The client's X-Correlation-Id if it matches ^[A-Za-z0-9._:-]{8,128}$, else a fresh random id.
std::string correlation_id_for(const std::string& client_value);

// Strong ETag of a body: a quoted prefix of its SHA-256.
std::string strong_etag(const std::string& body);

// True if an If-None-Match header value (list, `*`, or W/ weak forms) matches `etag`.
bool if_none_match_hits(const std::string& header, const std::string& etag);

}  // namespace plumb::api
