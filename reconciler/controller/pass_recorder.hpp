#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <utility>

#include "reconciler/controller/ports.hpp"

namespace plumb::controller {

// Status is written on every path (Flux's deferred finalizeStatus): the recorder hands its
// RunRecord to `sink` when it goes out of scope, whichever return fired. A pass that never
// set a status is recorded as failed.
class PassRecorder {
 public:
  PassRecorder(std::string pass_id, const Request& request, SystemTime started,
               std::function<void(const RunRecord&)> sink)
      : m_sink(std::move(sink)) {
    m_record.pass_id = std::move(pass_id);
    m_record.trigger = request.reason;
    m_record.correlation_id = request.correlation_id;
    m_record.started_at = started;
    m_start = std::chrono::steady_clock::now();
  }
  ~PassRecorder() {
    if (m_record.status.empty()) m_record.status = "failed";
    if (m_record.status == "failed" && m_record.error.empty()) m_record.error = "INTERNAL: pass ended without a result";
    m_record.finished_at = m_record.started_at + std::chrono::duration_cast<SystemTime::duration>(
                                                     std::chrono::steady_clock::now() - m_start);
    m_sink(m_record);
  }
  PassRecorder(const PassRecorder&) = delete;
  PassRecorder& operator=(const PassRecorder&) = delete;

  RunRecord& record() { return m_record; }
  const Error* error() const { return m_failed ? &m_error : nullptr; }

  // Marks the pass failed with `error` (code: message).
  void fail(const Error& error) {
    m_failed = true;
    m_error = error;
    m_record.status = "failed";
    m_record.error = error.code + ": " + error.message;
  }

 private:
  RunRecord m_record;
  Error m_error;
  bool m_failed = false;
  std::chrono::steady_clock::time_point m_start;
  std::function<void(const RunRecord&)> m_sink;
};

}  // namespace plumb::controller
