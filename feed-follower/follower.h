// Follower: polls the configured feeds, the watched directory and Kafka,
// streams what is new to ingest-service and records in the state directory
// only what ingest acknowledged (at-least-once delivery; ingest's
// idempotence turns it into exactly-once storage).
#ifndef RELMON_FEED_FOLLOWER_FOLLOWER_H_
#define RELMON_FEED_FOLLOWER_FOLLOWER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "feed-follower/config.h"
#include "feed-follower/dir_watcher.h"
#include "feed-follower/http_fetcher.h"
#include "feed-follower/ingest_sender.h"
#include "feed-follower/kafka_source.h"
#include "feed-follower/metrics.h"
#include "feed-follower/state_store.h"
#include "feed-follower/stop_signal.h"
#include "relations/v1/article.pb.h"

namespace relmon::feeds {

class Follower {
 public:
  static absl::StatusOr<std::unique_ptr<Follower>> Create(FollowerOptions options);
  ~Follower();

  // Polls every feed once, ingests the files already in the watched
  // directory and drains Kafka (until it stays quiet); returns once every
  // article sent is acknowledged. An error when a source failed (the others
  // still ran).
  absl::Status RunOnce(const StopSignal& stop);
  // Follows every source until `stop`; returns OK on a clean stop.
  absl::Status Run(const StopSignal& stop);

  // One poll of feed `index` (tests drive rounds by hand).
  absl::Status PollFeed(size_t index, const StopSignal& stop);
  // Ingests the watched directory's new complete files.
  absl::Status PollDirectory(const StopSignal& stop, bool rescan);
  // One Kafka batch: poll, send, commit. Sets *got_messages.
  absl::Status PollKafka(const StopSignal& stop, absl::Duration wait, bool* got_messages);

  const Metrics& metrics() const { return metrics_; }
  const StateStore& state() const { return *state_; }
  // Metrics source name of feed `index` (its configured name, else its URL).
  std::string FeedMetricsName(size_t index) const;

 private:
  struct FeedRuntime {
    FeedConfig config;
    absl::Time next_poll = absl::InfinitePast();
    absl::Duration backoff;
  };
  // An article with what to do once it is acknowledged.
  struct Pending {
    relations::v1::Article article;
    std::string item_key;
  };

  explicit Follower(FollowerOptions options);
  // Sends, then counts the outcomes under `metrics_name`; *acks gets the
  // outcome per article (nullopt where unacknowledged after a stop).
  absl::Status Deliver(const std::string& metrics_name, const std::vector<relations::v1::Article>& articles,
                       const StopSignal& stop, std::vector<std::optional<IngestAck>>* acks);
  absl::Status IngestFile(const std::string& name, const StopSignal& stop);
  void WriteMetricsFile();
  void SaveState();

  FollowerOptions options_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<IngestSender> sender_;
  std::unique_ptr<HttpFetcher> http_;
  std::unique_ptr<DirWatcher> watcher_;
  std::unique_ptr<KafkaSource> kafka_;
  std::vector<FeedRuntime> feeds_;
  Metrics metrics_;
};

// Article.id for a feed item: its key when globally unique (a URL, urn:,
// tag:), else qualified by the feed URL; hashed when too long for ingest.
std::string ArticleIdForItem(const std::string& feed_url, const std::string& item_key);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_FOLLOWER_H_
