// IngestServiceImpl: the gRPC transport of relations.v1.IngestService on the
// callback API. It only translates protos and statuses; the work happens in
// Intake (articles) and EventLog (the log that SubscribeEvents streams).
#ifndef RELMON_INGEST_INGEST_SERVICE_H_
#define RELMON_INGEST_INGEST_SERVICE_H_

#include <cstddef>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_set.h"
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
};

class SubscribeReactor;

class IngestServiceImpl final : public relations::v1::IngestService::CallbackService {
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

  grpc::ServerBidiReactor<relations::v1::StreamArticlesRequest,
                          relations::v1::StreamArticlesResponse>*
  StreamArticles(grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* IngestArticle(grpc::CallbackServerContext* context,
                                          const relations::v1::IngestArticleRequest* request,
                                          relations::v1::IngestArticleResponse* response) override;

  grpc::ServerWriteReactor<relations::v1::SubscribeEventsResponse>* SubscribeEvents(
      grpc::CallbackServerContext* context,
      const relations::v1::SubscribeEventsRequest* request) override;

  // Live SubscribeEvents streams (for tests and metrics).
  size_t subscriber_count();

 private:
  friend class SubscribeReactor;
  // False once shutting down (the reactor must then finish at once).
  bool RegisterSubscriber(SubscribeReactor* reactor);
  void UnregisterSubscriber(SubscribeReactor* reactor);

  const IngestServiceOptions options_;
  Intake* const intake_;
  EventLog* const log_;
  WorkerPool readers_;

  std::mutex mu_;  // guards every member below (std::mutex: visible to TSan)
  absl::flat_hash_set<SubscribeReactor*> subscribers_;
  bool shutting_down_ = false;
};

// absl::Status -> grpc::Status (the codes share their numbering).
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_INGEST_SERVICE_H_
