#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace plumb::api {

// Process-wide counters rendered in the Prometheus text format at /metrics. Thread-safe.
// The API feeds HTTP figures itself; the controller feeds pass, drift and apply figures through
// the `record_*`/`set_*` methods (the CLI wires them), so the API never links the controller.
class Metrics {
 public:
  // One HTTP request answered: route template ("/v1/tenants/{tenant}" or "unmatched").
  void observe_http(std::string_view route, std::string_view method, int status, double seconds);

  // One reconcile pass finished with `outcome` ("succeeded", "failed", "noop") after `seconds`.
  void observe_pass(std::string_view outcome, double seconds);

  // Current drift item counts by kind ("Tenant", ...) and type ("missing", ...): replaces the old set.
  void set_drift_counts(const std::map<std::pair<std::string, std::string>, std::int64_t>& kind_type_counts);

  // Changes applied by a pass, by kind and action ("create", "update", "delete").
  void add_applied(std::string_view kind, std::string_view action, std::int64_t count);

  // The Prometheus exposition text (version 0.0.4).
  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;  // cumulative counts per k_buckets bound
    std::uint64_t count = 0;
    double sum = 0;
  };
  static void observe(Histogram& h, double seconds);
  static void render_histogram(std::string& out, std::string_view name, const std::string& labels,
                               const Histogram& h);

  mutable std::mutex m_mutex;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> m_http_total;
  std::map<std::string, Histogram> m_http_seconds;  // by route
  std::map<std::string, Histogram> m_pass_seconds;  // by outcome
  std::map<std::pair<std::string, std::string>, std::int64_t> m_drift;
  std::map<std::pair<std::string, std::string>, std::int64_t> m_applied;
};

}  // namespace plumb::api
