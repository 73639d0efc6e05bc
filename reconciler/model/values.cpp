#include "reconciler/model/values.hpp"

#include <array>
#include <cstdio>

namespace plumb::model {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at text[pos]; advances pos.
std::optional<int> digits(std::string_view text, std::size_t& pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> k_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : k_days[static_cast<std::size_t>(m - 1)];
}

// Days since 1970-01-01 (Howard Hinnant's algorithm), and back.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  std::int64_t total = 0;
  std::size_t pos = 0;
  int last_unit_rank = -1;  // h=0, m=1, s=2: units must appear once each, in order
  while (pos < text.size()) {
    std::int64_t value = 0;
    std::size_t start = pos;
    while (pos < text.size() && is_digit(text[pos])) {
      value = value * 10 + (text[pos] - '0');
      if (value > 10'000'000'000LL) return std::nullopt;
      ++pos;
    }
    if (pos == start || pos >= text.size()) return std::nullopt;
    int rank = text[pos] == 'h' ? 0 : text[pos] == 'm' ? 1 : text[pos] == 's' ? 2 : -1;
    if (rank <= last_unit_rank) return std::nullopt;
    last_unit_rank = rank;
    total += value * (rank == 0 ? 3600 : rank == 1 ? 60 : 1);
    ++pos;
  }
  constexpr std::int64_t k_hundred_years = 100LL * 366 * 24 * 3600;
  if (total <= 0 || total > k_hundred_years) return std::nullopt;
  return total;
}

std::optional<std::string> normalize_timestamp(std::string_view text) {
  std::size_t pos = 0;
  auto year = digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  auto month = digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  auto day = digits(text, pos, 2);
  if (!day || pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  auto hour = digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  auto minute = digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  auto second = digits(text, pos, 2);
  if (!second) return std::nullopt;
  std::string fraction;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) fraction.push_back(text[pos++]);
    if (fraction.empty() || fraction.size() > 9) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos] == '+' ? 1 : -1;
    ++pos;
    auto oh = digits(text, pos, 2);
    if (!oh || !expect(text, pos, ':')) return std::nullopt;
    auto om = digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) ||
      *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  std::int64_t epoch = days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * 86400 +
                       *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  if (epoch < 0) return std::nullopt;
  int y = 0, m = 0, d = 0;
  civil_from_days(epoch / 86400, y, m, d);
  if (y > 9999) return std::nullopt;
  std::int64_t rem = epoch % 86400;
  if (fraction.size() > 6) fraction.resize(6);  // PostgreSQL keeps microseconds
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, static_cast<int>(rem / 3600),
                static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  std::string out = buf;
  if (!fraction.empty()) out += "." + fraction;
  return out + "Z";
}

bool is_slug(std::string_view text) {
  if (text.size() < 1 || text.size() > 63 || text.size() == 2) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c); };
  if (!alnum(text.front()) || !alnum(text.back())) return false;
  for (char c : text) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_permission(std::string_view text) {
  static constexpr std::array<std::string_view, 9> k_resources = {
      "tenants", "workspaces", "pipelines", "roles", "tokens", "drift", "syncs", "audit", "*"};
  static constexpr std::array<std::string_view, 5> k_actions = {"read", "write", "trigger", "reveal", "*"};
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto resource = text.substr(0, colon);
  auto action = text.substr(colon + 1);
  bool resource_ok = false, action_ok = false;
  for (auto r : k_resources) resource_ok = resource_ok || r == resource;
  for (auto a : k_actions) action_ok = action_ok || a == action;
  return resource_ok && action_ok;
}

bool is_builtin_role(std::string_view name) {
  return name == "owner" || name == "admin" || name == "editor" || name == "viewer" || name == "auditor";
}

}  // namespace plumb::model
