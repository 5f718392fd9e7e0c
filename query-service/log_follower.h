// LogFollower: keeps the views in step with the ingest service's event log.
//
// A reader thread holds a SubscribeEvents stream from (applied + 1) and
// queues what arrives; an applier thread drains the queue in groups (up to
// max_batch events per atomic write, so catching up is fast and live
// events still apply at once). When the ingest service is away the reader
// reconnects with exponential backoff (100 ms doubling to 5 s, +-20 %
// jitter). An event at or below the cursor is skipped; one that leaves a
// gap is logged as an error and the stream is re-opened from the cursor.
#ifndef RELMON_QUERY_SERVICE_LOG_FOLLOWER_H_
#define RELMON_QUERY_SERVICE_LOG_FOLLOWER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/tls.h"
#include "grpcpp/grpcpp.h"
#include "query-service/view_store.h"
#include "relations/v1/ingest_service.grpc.pb.h"

namespace relmon::query {

struct LogFollowerOptions {
  // HOST:PORT of the ingest service.
  std::string ingest_target = "localhost:50051";
  // Most events per atomic write.
  int max_batch = 1024;
  // Most events waiting to be applied (backpressure on the stream; an
  // analysed article's event is ~17 KB, so this bounds the queue to ~35 MB).
  int max_queued = 2048;
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // TLS / mTLS / bearer token of the channel (common/tls.h); plaintext when
  // no file is set.
  ClientTlsOptions tls;
};

// What the follower knows of its progress (for /v1/status and /metrics).
struct FollowerStatus {
  uint64_t applied_sequence = 0;
  // Highest sequence received on the stream (applied or still queued).
  uint64_t received_sequence = 0;
  // The channel to the ingest service is connected.
  bool connected = false;
  // recorded_at of the last applied event, and when it was applied.
  absl::Time last_event_recorded_at = absl::InfinitePast();
  absl::Time last_applied_at = absl::InfinitePast();
  // How the ingest service last ended the stream with an error (gRPC code
  // and message, as it sent them; 0 and empty: never).
  int last_stream_code = 0;
  std::string last_stream_error;
};

class LogFollower {
 public:
  // `store` must outlive the follower.
  LogFollower(ViewStore* store, LogFollowerOptions options);
  ~LogFollower();

  void Start();
  // Cancels the stream and joins the threads; idempotent.
  void Stop();

  uint64_t applied_sequence() const { return store_->applied_sequence(); }
  FollowerStatus status() const;
  // Blocks until `sequence` is applied or `deadline`; true when applied.
  bool WaitUntil(uint64_t sequence, absl::Time deadline) const {
    return store_->WaitForSequence(sequence, deadline);
  }

 private:
  void ReadLoop();
  void ApplyLoop();
  // Cancels the current stream so the reader resubscribes from the cursor.
  void Resubscribe();
  // Hands memory freed by applying `applied` events back to the system.
  void ReleaseFreedMemory(size_t applied);

  ViewStore* store_;
  LogFollowerOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<relations::v1::IngestService::Stub> stub_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  // Events of the current stream generation, in arrival order.
  std::deque<relations::v1::LogEvent> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;

  std::atomic<uint64_t> received_sequence_{0};
  mutable absl::Mutex status_mu_;
  absl::Time last_event_recorded_at_ ABSL_GUARDED_BY(status_mu_) = absl::InfinitePast();
  absl::Time last_applied_at_ ABSL_GUARDED_BY(status_mu_) = absl::InfinitePast();
  int last_stream_code_ ABSL_GUARDED_BY(status_mu_) = 0;
  std::string last_stream_error_ ABSL_GUARDED_BY(status_mu_);

  absl::Time last_trim_ = absl::InfinitePast();  // applier thread only
  std::thread reader_;
  std::thread applier_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_LOG_FOLLOWER_H_
