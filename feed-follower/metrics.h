// Metrics: counters per source (a feed, the watched directory, a Kafka
// topic), logged periodically and at exit and written as JSON for scraping.
#ifndef RELMON_FEED_FOLLOWER_METRICS_H_
#define RELMON_FEED_FOLLOWER_METRICS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace relmon::feeds {

struct SourceMetrics {
  // Items found in the source (feed entries per poll, lines, messages).
  int64_t items_seen = 0;
  // Items that were new to the follower and sent.
  int64_t items_sent = 0;
  int64_t ingested = 0;    // ACCEPTED
  int64_t duplicates = 0;  // DUPLICATE
  int64_t rejected = 0;    // REJECTED by ingest, or unusable before sending
  int64_t errors = 0;      // fetch/parse/commit failures
  int64_t polls = 0;
  int64_t not_modified = 0;  // HTTP 304
};

class Metrics {
 public:
  // Applies `update` to the counters of `source` under the lock.
  template <typename F>
  void Update(const std::string& source, F update) {
    absl::MutexLock lock(&mu_);
    update(sources_[source]);
  }
  SourceMetrics Get(const std::string& source) const;
  std::map<std::string, SourceMetrics> Snapshot() const;
  std::string ToJson() const;
  // One log line per source.
  void Log(const char* message) const;
  // Writes ToJson() to `path` atomically.
  absl::Status WriteFile(const std::string& path) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, SourceMetrics> sources_ ABSL_GUARDED_BY(mu_);
};

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_METRICS_H_
