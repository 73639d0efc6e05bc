#pragma once
#include <memory>
#include <stop_token>
#include <string>

#include "reconciler/source/snapshot.hpp"
#include "reconciler/util/error.hpp"

namespace plumb::source {

// Where desired state comes from: a Git repository (GitSource) or a plain directory. The
// controller holds one of these as an injected seam.
class Source {
 public:
  virtual ~Source() = default;

  // Brings the source up to date (for Git: fetch over the network) and reads the tracked
  // revision. Refused entries are diagnostics inside the snapshot; an Error means nothing
  // could be read (transient: retry with backoff; terminal: bad ref, auth, URL). A cancelled
  // `stop` aborts a transfer in progress with a transient error. The same revision returns
  // the same (shared) snapshot.
  virtual Result<std::shared_ptr<const Snapshot>> snapshot(std::stop_token stop = {}) = 0;

  // For logs and sync runs: "https://host/org/repo@main:clusters/prod". Never holds secrets.
  virtual std::string describe() const = 0;
};

}  // namespace plumb::source
