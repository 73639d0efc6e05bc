#include "reconciler/controller/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace plumb::controller {

Millis backoff_delay(const BackoffPolicy& policy, int consecutive_failures) {
  if (consecutive_failures <= 0) return Millis{0};
  // Computed in double and capped before converting, so large failure counts cannot overflow.
  const double raw = static_cast<double>(policy.initial.count()) *
                     std::pow(policy.factor, static_cast<double>(std::min(consecutive_failures, 64) - 1));
  const double capped = std::min(raw, static_cast<double>(policy.max.count()));
  return Millis{static_cast<Millis::rep>(capped)};
}

Millis jittered(Millis interval, double fraction, double unit) {
  const double spread = std::clamp(fraction, 0.0, 1.0) * (2.0 * std::clamp(unit, 0.0, 1.0) - 1.0);
  const auto ms = static_cast<Millis::rep>(static_cast<double>(interval.count()) * (1.0 + spread));
  return Millis{std::max<Millis::rep>(ms, 1)};
}

}  // namespace plumb::controller
