#include "feed-follower/kafka_source.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace relmon::feeds {

struct KafkaSource::Handle {
  rd_kafka_t* rk = nullptr;
  ~Handle() {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

namespace {

absl::Status Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    return absl::InvalidArgumentError(absl::StrCat("kafka property ", name, ": ", error));
  }
  return absl::OkStatus();
}

void LogKafka(const rd_kafka_t*, int level, const char* facility, const char* message) {
  Log(level <= 3 ? LogLevel::kError : level <= 5 ? LogLevel::kWarning : LogLevel::kDebug, "librdkafka",
      {{"facility", facility}, {"detail", message}});
}

}  // namespace

absl::StatusOr<std::unique_ptr<KafkaSource>> KafkaSource::Create(const KafkaOptions& options) {
  if (options.topics.empty()) return absl::InvalidArgumentError("kafka: no topic given (--kafka_topic)");
  if (options.brokers.empty() && options.properties.count("test.mock.num.brokers") == 0) {
    return absl::InvalidArgumentError("kafka: no brokers given (--kafka_brokers)");
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto fail = [conf](absl::Status s) {
    rd_kafka_conf_destroy(conf);
    return s;
  };
  const std::pair<std::string, std::string> defaults[] = {
      {"group.id", options.group},
      // Offsets move only after ingest acknowledged the messages.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // A new group reads the topic from its start.
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"client.id", "relmon-feed-follower"},
  };
  if (!options.brokers.empty()) {
    if (absl::Status s = Set(conf, "bootstrap.servers", options.brokers); !s.ok()) return fail(s);
  }
  for (const auto& [name, value] : defaults) {
    if (absl::Status s = Set(conf, name, value); !s.ok()) return fail(s);
  }
  for (const auto& [name, value] : options.properties) {
    if (name == "enable.auto.commit" && value != "false") {
      return fail(absl::InvalidArgumentError("kafka: enable.auto.commit must stay false (offsets follow acks)"));
    }
    if (absl::Status s = Set(conf, name, value); !s.ok()) return fail(s);
  }
  rd_kafka_conf_set_log_cb(conf, LogKafka);
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
  if (rk == nullptr) return fail(absl::InternalError(absl::StrCat("kafka: ", error)));
  std::unique_ptr<KafkaSource> source(new KafkaSource());
  source->handle_ = std::make_unique<Handle>();
  source->handle_->rk = rk;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(options.topics.size());
  for (const std::string& topic : options.topics) {
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::InternalError(absl::StrCat("kafka subscribe: ", rd_kafka_err2str(err)));
  }
  LogInfo("kafka consumer subscribed",
          {{"topics", absl::StrJoin(options.topics, ",")}, {"group", options.group}, {"brokers", options.brokers}});
  return source;
}

KafkaSource::~KafkaSource() { Close(); }

void KafkaSource::Close() {
  if (closed_ || handle_ == nullptr) return;
  closed_ = true;
  rd_kafka_consumer_close(handle_->rk);
}

bool KafkaSource::HasAssignment() {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(handle_->rk, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
  bool any = assignment != nullptr && assignment->cnt > 0;
  if (assignment != nullptr) rd_kafka_topic_partition_list_destroy(assignment);
  return any;
}

std::vector<KafkaMessage> KafkaSource::Poll(size_t max_messages, absl::Duration timeout) {
  std::vector<KafkaMessage> out;
  int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  while (out.size() < max_messages) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(handle_->rk, out.empty() ? wait_ms : 0);
    if (m == nullptr) break;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        LogWarning("kafka consumer error", {{"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    KafkaMessage message;
    message.topic = rd_kafka_topic_name(m->rkt);
    message.partition = m->partition;
    message.offset = m->offset;
    if (m->key != nullptr) message.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) message.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_message_destroy(m);
    out.push_back(std::move(message));
  }
  return out;
}

absl::Status KafkaSource::Commit(const std::vector<KafkaMessage>& messages) {
  if (messages.empty()) return absl::OkStatus();
  std::map<std::pair<std::string, int32_t>, int64_t> next;
  for (const KafkaMessage& m : messages) {
    int64_t& offset = next[{m.topic, m.partition}];
    offset = std::max(offset, m.offset + 1);
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(next.size());
  for (const auto& [tp, offset] : next) {
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = offset;
  }
  rd_kafka_resp_err_t err = rd_kafka_commit(handle_->rk, list, /*async=*/0);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("kafka commit: ", rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

}  // namespace relmon::feeds
