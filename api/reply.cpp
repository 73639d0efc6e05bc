#include "api/reply.hpp"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

#include "reconciler/util/crypto.hpp"

namespace plumb::api {

std::string safe_dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

Reply json_reply(int status, const Json& body, bool etag) {
  Reply reply;
  reply.status = status;
  reply.body = safe_dump(body);
  reply.etag = etag;
  return reply;
}

Reply error_reply(int status, std::string code, std::string message) {
  Reply reply;
  reply.status = status;
  reply.error = ApiError{std::move(code), std::move(message)};
  return reply;
}

std::string render_error(const ApiError& error, const std::string& correlation_id) {
  Json body = {{"error",
                {{"code", error.code},
                 {"message", error.message},
                 {"correlationId", correlation_id},
                 {"timestamp", utc_timestamp_now()}}}};
  return safe_dump(body);
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, ms % 1000);
}

std::string correlation_id_for(const std::string& client_value) {
  const auto valid_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  };
  bool valid = client_value.size() >= 8 && client_value.size() <= 128;
  for (char c : client_value) valid = valid && valid_char(c);
  if (valid) return client_value;
  return crypto::to_hex(crypto::random_bytes(12));
}

std::string strong_etag(const std::string& body) {
  return "\"" + crypto::sha256_hex(body).substr(0, 32) + "\"";
}

bool if_none_match_hits(const std::string& header, const std::string& etag) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(',', pos);
    if (end == std::string::npos) end = header.size();
    std::string item = header.substr(pos, end - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    if (item.rfind("W/", 0) == 0) item = item.substr(2);  // If-None-Match uses weak comparison
    if (item == "*" || item == etag) return true;
    pos = end + 1;
  }
  return false;
}

}  // namespace plumb::api
