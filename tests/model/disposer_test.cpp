#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "reconciler/util/disposer.hpp"

namespace {

// Records on which thread it was destroyed.
struct Tracked {
  std::atomic<int>* destroyed;
  std::thread::id* where;
  ~Tracked() {
    *where = std::this_thread::get_id();
    ++*destroyed;
  }
};

}  // namespace

TEST_CASE("the disposer destroys the last reference on its own thread", "[util]") {
  std::atomic<int> destroyed{0};
  std::thread::id where;
  plumb::Disposer disposer;
  disposer.dispose(std::make_shared<const Tracked>(&destroyed, &where));
  disposer.drain();
  CHECK(destroyed == 1);
  CHECK(where != std::this_thread::get_id());
}

TEST_CASE("the disposer leaves shared objects alive and frees everything queued before it ends", "[util]") {
  std::atomic<int> destroyed{0};
  std::thread::id where;
  auto kept = std::make_shared<const Tracked>(&destroyed, &where);
  {
    plumb::Disposer disposer;
    disposer.dispose(kept);  // another reference remains: nothing to destroy
    disposer.drain();
    CHECK(destroyed == 0);
    for (int i = 0; i < 100; ++i) disposer.dispose(std::make_shared<const Tracked>(&destroyed, &where));
    disposer.dispose(nullptr);
  }
  CHECK(destroyed == 100);
  kept.reset();
  CHECK(destroyed == 101);
}
