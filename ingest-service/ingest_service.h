// IngestServiceImpl: the gRPC transport of relations.v1.IngestService on the
// callback API. It only translates protos and statuses and enforces the
// per-service limits; the work happens in Intake (articles) and EventLog
// (the log that SubscribeEvents streams). Requests are parsed here
// (common/parsed_requests.h), so a request protobuf cannot parse gets
// INVALID_ARGUMENT naming the field, and a bad stream message a REJECTED
// answer while the stream goes on.
#ifndef RELMON_INGEST_INGEST_SERVICE_H_
#define RELMON_INGEST_INGEST_SERVICE_H_

#include <cstddef>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_set.h"
#include "common/parsed_requests.h"
#include "ingest-service/event_log.h"
#include "ingest-service/intake.h"
#include "ingest-service/worker_pool.h"
#include "relations/v1/ingest_service.grpc.pb.h"

namespace relmon::ingest {

struct IngestServiceOptions {
  // Articles of one StreamArticles call being processed at once; the stream
  // reads no further request until one of them is answered (backpressure).
  size_t max_in_flight_per_stream = 64;
  // One SubscribeEvents read from the log: at most this many events ...
  size_t subscribe_chunk_events = 256;
  // ... or about this many bytes.
  size_t subscribe_chunk_bytes = size_t{4} << 20;
  // Threads that read the log for subscribers (off the reactor threads).
  size_t reader_threads = 2;
  // Open StreamArticles calls (counted until their last article is
  // answered); one more is refused with RESOURCE_EXHAUSTED.
  // (--max_article_streams)
  size_t max_article_streams = 64;
  // Live SubscribeEvents calls; one more is refused with RESOURCE_EXHAUSTED.
  // (--max_event_subscribers)
  size_t max_event_subscribers = 64;
  // IngestArticle calls being processed at once; one more is refused with
  // RESOURCE_EXHAUSTED. (--max_ingest_calls)
  size_t max_ingest_calls = 256;
};

class StreamReactor;
class SubscribeReactor;

class IngestServiceImpl final
    : public relmon::ParsedRequestService<relations::v1::IngestService> {
 public:
  // `intake` and `log` must outlive the service.
  IngestServiceImpl(const IngestServiceOptions& options, Intake* intake, EventLog* log);
  ~IngestServiceImpl() override;

  // Finishes every live SubscribeEvents stream with UNAVAILABLE and refuses
  // new ones: they never end by themselves, so without this a server
  // Shutdown would wait out its whole grace period. Call before Shutdown.
  void BeginShutdown();
  // After the server has shut down: stops the log readers.
  void Stop();

  // Live SubscribeEvents streams (for tests and metrics).
  size_t subscriber_count();
  // StreamArticles calls counted against max_article_streams.
  size_t article_stream_count();

 private:
  friend class SubscribeReactor;
  friend class StreamReactor;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* StreamArticles(
      grpc::CallbackServerContext* context);
  void IngestArticle(grpc::CallbackServerContext* context,
                     const relations::v1::IngestArticleRequest& request,
                     relations::v1::IngestArticleResponse* response,
                     relmon::UnaryResponder responder);
  grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscribeEvents(
      grpc::CallbackServerContext* context, const relations::v1::SubscribeEventsRequest& request);

  // OK, or why the subscriber is refused (shutting down, over the limit).
  grpc::Status RegisterSubscriber(SubscribeReactor* reactor);
  void UnregisterSubscriber(SubscribeReactor* reactor);
  // Counts a new StreamArticles call; false when over the limit.
  bool AcquireArticleStream();
  void ReleaseArticleStream();

  const IngestServiceOptions options_;
  Intake* const intake_;
  EventLog* const log_;
  WorkerPool readers_;

  std::mutex mu_;  // guards every member below (std::mutex: visible to TSan)
  absl::flat_hash_set<SubscribeReactor*> subscribers_;
  size_t article_streams_ = 0;
  size_t ingest_calls_ = 0;
  bool shutting_down_ = false;
};

// absl::Status -> grpc::Status (common/parsed_requests.h).
using relmon::ToGrpcStatus;

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_INGEST_SERVICE_H_
