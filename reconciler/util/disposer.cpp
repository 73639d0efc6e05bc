#include "reconciler/util/disposer.hpp"

#include <utility>

namespace plumb {

Disposer::Disposer() : m_thread([this] { run(); }) {}

Disposer::~Disposer() {
  {
    std::lock_guard<std::mutex> g(m_mu);
    m_stopping = true;
  }
  m_cv.notify_all();
  m_thread.join();
}

void Disposer::dispose(std::shared_ptr<const void> object) {
  if (!object) return;
  {
    std::lock_guard<std::mutex> g(m_mu);
    m_queue.push_back(std::move(object));
  }
  m_cv.notify_all();
}

void Disposer::drain() {
  std::unique_lock<std::mutex> g(m_mu);
  m_idle.wait(g, [&] { return m_queue.empty() && !m_busy; });
}

void Disposer::run() {
  std::unique_lock<std::mutex> g(m_mu);
  while (true) {
    m_cv.wait(g, [&] { return m_stopping || !m_queue.empty(); });
    if (m_queue.empty()) return;  // stopping, and nothing left to free
    std::shared_ptr<const void> next = std::move(m_queue.front());
    m_queue.pop_front();
    m_busy = true;
    g.unlock();
    next.reset();  // the destruction, outside the lock
    g.lock();
    m_busy = false;
    m_idle.notify_all();
  }
}

}  // namespace plumb
