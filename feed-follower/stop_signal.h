// StopSignal: a flag that asks every loop of the follower to wind down, and
// sleeps that end early when it is raised (SIGTERM must not wait for a
// 30-minute poll interval or an ingest backoff).
#ifndef RELMON_FEED_FOLLOWER_STOP_SIGNAL_H_
#define RELMON_FEED_FOLLOWER_STOP_SIGNAL_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace relmon::feeds {

class StopSignal {
 public:
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  bool stopped() const {
    absl::MutexLock lock(&mu_);
    return stopped_;
  }
  // Sleeps up to `timeout`; true when stopped (now or during the sleep).
  bool WaitFor(absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), timeout);
    return stopped_;
  }

 private:
  mutable absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_STOP_SIGNAL_H_
