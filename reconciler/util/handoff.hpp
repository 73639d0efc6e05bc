#pragma once
// A bounded, ordered hand-over of work items from one producer thread to one consumer thread,
// with the two ways out a pipeline needs: the producer closes it (done, or failed with an
// exception the consumer then rethrows) and the consumer cancels it (it gave up; the producer's
// next push says so). Used by apply to build the next batch of rows while PostgreSQL executes
// the current one.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

namespace plumb {

template <class T>
class Handoff {
 public:
  explicit Handoff(std::size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}
  Handoff(const Handoff&) = delete;
  Handoff& operator=(const Handoff&) = delete;

  // Producer: waits while `capacity` items are waiting. False once the consumer cancelled: the
  // item is dropped and the producer should stop.
  bool push(T item) {
    std::unique_lock<std::mutex> g(m_mu);
    m_space.wait(g, [&] { return m_cancelled || m_items.size() < m_capacity; });
    if (m_cancelled) return false;
    m_items.push_back(std::move(item));
    m_ready.notify_one();
    return true;
  }

  // Producer, last call: nothing more comes. With `error`, the consumer rethrows it once it has
  // taken every item pushed before.
  void close(std::exception_ptr error = nullptr) {
    std::lock_guard<std::mutex> g(m_mu);
    m_closed = true;
    m_error = std::move(error);
    m_ready.notify_all();
  }

  // Consumer: the next item in push order; nullopt once closed and empty. Rethrows the
  // producer's error at that point.
  std::optional<T> pop() {
    std::unique_lock<std::mutex> g(m_mu);
    m_ready.wait(g, [&] { return m_closed || !m_items.empty(); });
    if (m_items.empty()) {
      if (m_error) std::rethrow_exception(m_error);
      return std::nullopt;
    }
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_space.notify_one();
    return item;
  }

  // Consumer: gives up; waiting and later pushes return false, waiting items are dropped.
  void cancel() {
    std::lock_guard<std::mutex> g(m_mu);
    m_cancelled = true;
    m_items.clear();
    m_space.notify_all();
  }

 private:
  std::mutex m_mu;
  std::condition_variable m_ready;
  std::condition_variable m_space;
  std::deque<T> m_items;
  std::size_t m_capacity;
  bool m_closed = false;
  bool m_cancelled = false;
  std::exception_ptr m_error;
};

}  // namespace plumb
