// QueryServiceImpl: the gRPC face of QueryEngine (callback API). It waits for
// min_sequence, answers UNAVAILABLE while starting or draining, calls the
// engine and turns absl::Status into grpc::Status (with a
// google.rpc.BadRequest detail naming the field of an INVALID_ARGUMENT).
#ifndef RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
#define RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/parsed_requests.h"
#include "query-service/answer_cache.h"
#include "grpcpp/grpcpp.h"
#include "query-service/query_engine.h"
#include "query-service/view_store.h"
#include "relations/v1/query_service.grpc.pb.h"

namespace relmon::query {

// grpc::Status for an absl::Status, with BadRequest details when the status
// names a field (see kFieldPayload).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Callback-API service: each call runs on gRPC's own small executor (no
// thread per concurrent call, so 32 callers on 2 cores do not thrash). A
// call whose min_sequence is not applied yet is parked with one waiter
// thread, which answers it as soon as the applier reaches the sequence (or
// its deadline passes), so waiting never holds an executor thread.
// Callback-API service: each call runs on gRPC's own small executor (no
// thread per concurrent call, so 32 callers on 2 cores do not thrash). A
// call whose min_sequence is not applied yet is parked with one waiter
// thread, which answers it as soon as the applier reaches the sequence (or
// its deadline passes), so waiting never holds an executor thread.
//
// Methods are served raw (common/parsed_requests.h): a request that does
// not parse gets INVALID_ARGUMENT saying why, and answers are serialized
// once and kept in an AnswerCache (when given) for the identical requests
// that follow until the views move.
class QueryServiceImpl final : public relmon::ParsedRequestService<relations::v1::QueryService> {
 public:
  // `engine` and `store` (and `cache` when not null) must outlive the
  // service. `max_wait`: how long min_sequence may wait when the call has
  // no deadline.
  // `max_waiting_calls`: calls that may wait for their min_sequence at
  // once; more get RESOURCE_EXHAUSTED (each waiting call holds its request
  // and a place in the waiter's list).
  QueryServiceImpl(const QueryEngine* engine, const ViewStore* store,
                   absl::Duration max_wait = absl::Seconds(30), AnswerCache* cache = nullptr,
                   int max_waiting_calls = 4096);
  ~QueryServiceImpl() override;
  // Answers every parked call UNAVAILABLE and joins the waiter thread (which
  // reads the store): call before the store is closed. Idempotent.
  void Stop();

  // False: every call answers UNAVAILABLE (starting, or draining).
  void SetReady(bool ready) { ready_.store(ready); }
  bool ready() const { return ready_.load(); }

 private:
  // A call waiting for its min_sequence.
  struct Parked {
    uint64_t min_sequence = 0;
    absl::Time deadline;
    grpc::CallbackServerContext* context = nullptr;
    grpc::ServerUnaryReactor* reactor = nullptr;
    std::function<grpc::Status()> answer;
  };

  // Serves `method` with QueryEngine::`call`; `tag` keeps the cache keys of
  // different methods apart.
  template <class Request, class Response>
  void ServeQuery(std::string_view method, char tag,
                  absl::StatusOr<Response> (QueryEngine::*call)(const Request&) const);
  // The answer of one parsed request, from the cache or the engine.
  template <class Request, class Response>
  grpc::Status Answer(const std::string& key, const Request& request,
                      absl::StatusOr<Response> (QueryEngine::*call)(const Request&) const,
                      grpc::ByteBuffer* response_bytes);

  // Answers at once on `reactor` (the call's default reactor), or parks the
  // call until min_sequence is applied. Returns `reactor`.
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   grpc::ServerUnaryReactor* reactor, uint64_t min_sequence,
                                   std::function<grpc::Status()> answer);
  // When a parked call must be answered DEADLINE_EXCEEDED.
  absl::Time WaitDeadline(grpc::CallbackServerContext* context) const;
  void WaitLoop();

  const QueryEngine* engine_;
  const ViewStore* store_;
  absl::Duration max_wait_;
  AnswerCache* cache_;
  int max_waiting_calls_;
  std::atomic<bool> ready_{false};

  std::mutex park_mu_;
  std::condition_variable park_cv_;
  std::vector<Parked> parked_;  // guarded by park_mu_
  bool stopping_ = false;       // guarded by park_mu_
  std::thread waiter_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
