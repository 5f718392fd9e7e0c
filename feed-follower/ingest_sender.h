// IngestSender: delivers a batch of articles to ingest-service over one
// StreamArticles call and returns each article's acknowledged outcome,
// resending what was not acknowledged (with backoff) while the service is
// away. ACCEPTED, DUPLICATE and REJECTED are all final answers.
#ifndef RELMON_FEED_FOLLOWER_INGEST_SENDER_H_
#define RELMON_FEED_FOLLOWER_INGEST_SENDER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "feed-follower/stop_signal.h"
#include "relations/v1/ingest_service.grpc.pb.h"

namespace relmon::feeds {

struct IngestSenderOptions {
  std::string target;
  // Plaintext unless TLS files are given; a token needs TLS.
  relmon::ClientTlsOptions security;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(30);
  // Deadline of one StreamArticles attempt.
  absl::Duration attempt_timeout = absl::Minutes(10);
  // After a stop request, how long an open stream may still deliver acks.
  absl::Duration drain_on_stop = absl::Seconds(5);
  int max_send_message_bytes = 8 << 20;
};

struct IngestAck {
  relations::v1::IngestOutcome outcome = relations::v1::INGEST_OUTCOME_UNSPECIFIED;
  std::string article_id;
  uint64_t sequence = 0;
  std::string message;
};

class IngestSender {
 public:
  static absl::StatusOr<std::unique_ptr<IngestSender>> Create(IngestSenderOptions options);

  // One ack per article (same order). Retries until every article is
  // acknowledged or `stop` is raised; then CANCELLED, with the acks received
  // so far in *acks (unacknowledged entries have no value).
  absl::Status Send(const std::vector<relations::v1::Article>& articles, const StopSignal& stop,
                    std::vector<std::optional<IngestAck>>* acks);

  // Stream attempts that failed since creation (the service was away).
  int64_t failed_attempts() const { return failed_attempts_; }

 private:
  explicit IngestSender(IngestSenderOptions options);
  // (Re)creates the channel and stub; fails when the TLS files or the
  // token cannot be loaded.
  absl::Status Connect();
  // One StreamArticles call for the articles not yet acknowledged.
  grpc::Status Attempt(const std::vector<relations::v1::Article>& articles, const std::vector<size_t>& pending,
                       const StopSignal& stop, std::vector<std::optional<IngestAck>>* acks);

  IngestSenderOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<relations::v1::IngestService::Stub> stub_;
  int64_t failed_attempts_ = 0;
};

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_INGEST_SENDER_H_
