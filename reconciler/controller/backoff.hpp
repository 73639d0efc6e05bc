#pragma once
#include <chrono>

namespace plumb::controller {

using Millis = std::chrono::milliseconds;

// Exponential backoff after failed passes: initial * factor^(failures-1), capped at `max`.
struct BackoffPolicy {
  Millis initial{1000};
  Millis max{5 * 60 * 1000};
  double factor = 2.0;
};

// Delay before the next attempt after `consecutive_failures` failures (0 -> 0). Pure.
Millis backoff_delay(const BackoffPolicy& policy, int consecutive_failures);

// `interval` spread by +-`fraction` using `unit` in [0, 1) from the caller's random source, so
// replicas started together do not poll in lockstep. Pure; never below 1 ms.
Millis jittered(Millis interval, double fraction, double unit);

}  // namespace plumb::controller
