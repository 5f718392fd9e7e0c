// KafkaSource: a librdkafka consumer of article messages whose offsets are
// committed only when the caller says the messages were acknowledged by
// ingest-service (enable.auto.commit=false, synchronous commits), so a crash
// before the commit re-delivers them: at-least-once.
#ifndef RELMON_FEED_FOLLOWER_KAFKA_SOURCE_H_
#define RELMON_FEED_FOLLOWER_KAFKA_SOURCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace relmon::feeds {

struct KafkaOptions {
  // bootstrap.servers ("host:9092,host2:9092").
  std::string brokers;
  std::vector<std::string> topics;
  // group.id: consumers of one group share the partitions and the offsets.
  std::string group = "relations-monitor-feed-follower";
  // Source name put on plain-text messages (empty: none).
  std::string source;
  // Extra librdkafka properties (security.protocol, sasl.*, ...).
  std::map<std::string, std::string> properties;
};

struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

class KafkaSource {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaSource>> Create(const KafkaOptions& options);
  ~KafkaSource();

  // Up to max_messages; waits up to `timeout` for the first, then takes
  // what is already there.
  std::vector<KafkaMessage> Poll(size_t max_messages, absl::Duration timeout);
  // Commits, synchronously, the position after the highest offset of each
  // partition in `messages`.
  absl::Status Commit(const std::vector<KafkaMessage>& messages);
  // Whether the group has assigned this consumer any partition yet.
  bool HasAssignment();
  // Leaves the group (without committing anything).
  void Close();

 private:
  KafkaSource() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
  bool closed_ = false;
};

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_KAFKA_SOURCE_H_
