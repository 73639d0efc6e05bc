#pragma once
// Frees large immutable structures on a thread of its own, so that the thread letting go of
// them carries on at once. A desired state of 100k resources is millions of small JSON nodes:
// freeing it took the operator's pass hundreds of milliseconds (bench/RESULTS.md).
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace plumb {

class Disposer {
 public:
  Disposer();
  ~Disposer();  // frees whatever is still queued, then joins
  Disposer(const Disposer&) = delete;
  Disposer& operator=(const Disposer&) = delete;

  // Drops `object` on the disposer's thread: if this was the last reference, the object is
  // destroyed there. Never blocks on the destruction itself.
  void dispose(std::shared_ptr<const void> object);

  // Blocks until everything handed over so far is dropped (for tests and shutdown).
  void drain();

 private:
  void run();

  std::mutex m_mu;
  std::condition_variable m_cv;
  std::condition_variable m_idle;
  std::deque<std::shared_ptr<const void>> m_queue;
  bool m_busy = false;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace plumb
