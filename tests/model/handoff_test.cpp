#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "reconciler/util/handoff.hpp"

TEST_CASE("a handoff delivers every item in order, however small its capacity", "[util]") {
  plumb::Handoff<int> pipe(2);
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) REQUIRE(pipe.push(i));
    pipe.close();
  });
  std::vector<int> got;
  while (auto item = pipe.pop()) got.push_back(*item);
  producer.join();
  REQUIRE(got.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
  CHECK_FALSE(pipe.pop());  // closed and empty stays so
}

TEST_CASE("a handoff hands the producer's error to the consumer after the items before it", "[util]") {
  plumb::Handoff<std::string> pipe(4);
  std::thread producer([&] {
    pipe.push("first");
    pipe.push("second");
    pipe.close(std::make_exception_ptr(std::runtime_error("building failed")));
  });
  producer.join();
  CHECK(*pipe.pop() == "first");
  CHECK(*pipe.pop() == "second");
  CHECK_THROWS_WITH(pipe.pop(), "building failed");
}

TEST_CASE("cancelling a handoff releases a producer waiting for room", "[util]") {
  plumb::Handoff<int> pipe(1);
  bool refused = false;
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!pipe.push(i)) {
        refused = true;
        break;
      }
    }
    pipe.close();
  });
  CHECK(*pipe.pop() == 0);
  pipe.cancel();  // the consumer gives up with the producer blocked or about to block
  producer.join();
  CHECK(refused);
}
