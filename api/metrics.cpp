#include "api/metrics.hpp"

#include <array>
#include <fmt/format.h>

namespace plumb::api {
namespace {

constexpr std::array<double, 12> k_buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,   0.25,   1.0,   5.0,  30.0};

// Label values may hold quotes or backslashes (route templates never do, kinds never do),
// but escape anyway so a surprising value cannot break the exposition format.
std::string escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::observe(Histogram& h, double seconds) {
  if (h.buckets.empty()) h.buckets.assign(k_buckets.size(), 0);
  for (std::size_t i = 0; i < k_buckets.size(); ++i) {
    if (seconds <= k_buckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::observe_http(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(m_mutex);
  ++m_http_total[{std::string(route), std::string(method), status}];
  observe(m_http_seconds[std::string(route)], seconds);
}

void Metrics::observe_pass(std::string_view outcome, double seconds) {
  std::lock_guard lock(m_mutex);
  observe(m_pass_seconds[std::string(outcome)], seconds);
}

void Metrics::set_drift_counts(const std::map<std::pair<std::string, std::string>, std::int64_t>& counts) {
  std::lock_guard lock(m_mutex);
  m_drift = counts;
}

void Metrics::add_applied(std::string_view kind, std::string_view action, std::int64_t count) {
  std::lock_guard lock(m_mutex);
  m_applied[{std::string(kind), std::string(action)}] += count;
}

void Metrics::render_histogram(std::string& out, std::string_view name, const std::string& labels,
                               const Histogram& h) {
  const std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < h.buckets.size(); ++i) {
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, k_buckets[i], h.buckets[i]);
  }
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels, h.sum);
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, h.count);
}

std::string Metrics::render() const {
  std::lock_guard lock(m_mutex);
  std::string out;
  out += "# HELP plumb_http_requests_total HTTP requests answered, by route template, method and status.\n";
  out += "# TYPE plumb_http_requests_total counter\n";
  for (const auto& [key, n] : m_http_total) {
    out += fmt::format("plumb_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                       escape(std::get<0>(key)), escape(std::get<1>(key)), std::get<2>(key), n);
  }
  out += "# HELP plumb_http_request_duration_seconds Time to answer an HTTP request, by route template.\n";
  out += "# TYPE plumb_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : m_http_seconds) {
    render_histogram(out, "plumb_http_request_duration_seconds", fmt::format("route=\"{}\"", escape(route)), h);
  }
  out += "# HELP plumb_pass_duration_seconds Duration of reconcile passes, by outcome.\n";
  out += "# TYPE plumb_pass_duration_seconds histogram\n";
  for (const auto& [outcome, h] : m_pass_seconds) {
    render_histogram(out, "plumb_pass_duration_seconds", fmt::format("outcome=\"{}\"", escape(outcome)), h);
  }
  out += "# HELP plumb_drift_items Current drift items, by kind and type.\n";
  out += "# TYPE plumb_drift_items gauge\n";
  for (const auto& [key, n] : m_drift) {
    out += fmt::format("plumb_drift_items{{kind=\"{}\",type=\"{}\"}} {}\n", escape(key.first), escape(key.second), n);
  }
  out += "# HELP plumb_applied_changes_total Changes applied by reconcile passes, by kind and action.\n";
  out += "# TYPE plumb_applied_changes_total counter\n";
  for (const auto& [key, n] : m_applied) {
    out += fmt::format("plumb_applied_changes_total{{kind=\"{}\",action=\"{}\"}} {}\n", escape(key.first),
                       escape(key.second), n);
  }
  return out;
}

}  // namespace plumb::api
