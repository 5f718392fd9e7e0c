// FollowerOptions: everything the follower is told (flags and the JSON
// config file; docs/feeds.md describes the file).
#ifndef RELMON_FEED_FOLLOWER_CONFIG_H_
#define RELMON_FEED_FOLLOWER_CONFIG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "feed-follower/http_fetcher.h"
#include "feed-follower/kafka_source.h"

namespace relmon::feeds {

struct FeedConfig {
  std::string url;
  // Article.source; empty: the channel's title.
  std::string name;
  // Article.language; empty: the item's or the feed's.
  std::string language;
  absl::Duration interval = absl::Minutes(15);
};

struct FollowerOptions {
  std::string ingest_target;
  // TLS/mTLS and the write token of the ingest channel (docs/security.md).
  relmon::ClientTlsOptions ingest_security;
  std::string state_dir;
  std::vector<FeedConfig> feeds;
  std::string watch_dir;
  // Kafka is used when kafka.topics is not empty.
  KafkaOptions kafka;
  HttpOptions http;
  // A description with less text than this is a teaser: fetch the page.
  size_t min_text_chars = 200;
  size_t max_seen_per_feed = 10000;
  // Larger articles are not sent (ingest would refuse them anyway).
  size_t max_article_bytes = 2 << 20;
  // Backoff of a failing feed: doubles from initial up to max.
  absl::Duration error_backoff_initial = absl::Seconds(30);
  absl::Duration error_backoff_max = absl::Hours(1);
  // Ingest service away: resend backoff.
  absl::Duration ingest_backoff_initial = absl::Milliseconds(200);
  absl::Duration ingest_backoff_max = absl::Seconds(30);
  size_t kafka_batch = 100;
  // --once: how long Kafka may stay quiet before the topic counts as drained.
  absl::Duration kafka_idle_in_once = absl::Seconds(2);
  absl::Duration metrics_log_interval = absl::Minutes(1);
  std::string metrics_file;
  // Test hook: after the acks of the first Kafka batch, stop without
  // committing, as if the process were killed at that instant.
  bool kafka_stop_before_commit_for_test = false;
};

// Reads a JSON config file into *options (fields absent keep their values).
absl::Status LoadConfigFile(const std::string& path, FollowerOptions* options);
// Same, from text (for tests).
absl::Status ParseConfig(const std::string& json_text, FollowerOptions* options);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_CONFIG_H_
