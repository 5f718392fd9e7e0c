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
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
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
class QueryServiceImpl final : public relations::v1::QueryService::CallbackService {
 public:
  // `engine` and `store` must outlive the service. `max_wait`: how long
  // min_sequence may wait when the call has no deadline.
  QueryServiceImpl(const QueryEngine* engine, const ViewStore* store,
                   absl::Duration max_wait = absl::Seconds(30));
  ~QueryServiceImpl() override;
  // Answers every parked call UNAVAILABLE and joins the waiter thread (which
  // reads the store): call before the store is closed. Idempotent.
  void Stop();

  // False: every call answers UNAVAILABLE (starting, or draining).
  void SetReady(bool ready) { ready_.store(ready); }
  bool ready() const { return ready_.load(); }

  grpc::ServerUnaryReactor* GetRelationsState(grpc::CallbackServerContext* context,
                                              const relations::v1::GetRelationsStateRequest* request,
                                              relations::v1::RelationsState* response) override;
  grpc::ServerUnaryReactor* ListRelationsTimeline(
      grpc::CallbackServerContext* context,
      const relations::v1::ListRelationsTimelineRequest* request,
      relations::v1::ListRelationsTimelineResponse* response) override;
  grpc::ServerUnaryReactor* ListEvents(grpc::CallbackServerContext* context,
                                       const relations::v1::ListEventsRequest* request,
                                       relations::v1::ListEventsResponse* response) override;
  grpc::ServerUnaryReactor* ListAgreements(grpc::CallbackServerContext* context,
                                           const relations::v1::ListAgreementsRequest* request,
                                           relations::v1::ListAgreementsResponse* response) override;
  grpc::ServerUnaryReactor* GetAgreement(grpc::CallbackServerContext* context,
                                         const relations::v1::GetAgreementRequest* request,
                                         relations::v1::Agreement* response) override;
  grpc::ServerUnaryReactor* ListFigures(grpc::CallbackServerContext* context,
                                        const relations::v1::ListFiguresRequest* request,
                                        relations::v1::ListFiguresResponse* response) override;
  grpc::ServerUnaryReactor* ListDisputedFigures(
      grpc::CallbackServerContext* context,
      const relations::v1::ListDisputedFiguresRequest* request,
      relations::v1::ListDisputedFiguresResponse* response) override;
  grpc::ServerUnaryReactor* GetArticle(grpc::CallbackServerContext* context,
                                       const relations::v1::GetArticleRequest* request,
                                       relations::v1::ArticleSummary* response) override;

 private:
  // A call waiting for its min_sequence.
  struct Parked {
    uint64_t min_sequence = 0;
    absl::Time deadline;
    grpc::CallbackServerContext* context = nullptr;
    grpc::ServerUnaryReactor* reactor = nullptr;
    std::function<grpc::Status()> answer;
  };

  // Answers at once, or parks the call until min_sequence is applied.
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context, uint64_t min_sequence,
                                   std::function<grpc::Status()> answer);
  // When a parked call must be answered DEADLINE_EXCEEDED.
  absl::Time WaitDeadline(grpc::CallbackServerContext* context) const;
  void WaitLoop();

  template <typename T>
  static grpc::Status Reply(absl::StatusOr<T> result, T* response) {
    if (!result.ok()) return ToGrpcStatus(result.status());
    *response = *std::move(result);
    return grpc::Status::OK;
  }

  const QueryEngine* engine_;
  const ViewStore* store_;
  absl::Duration max_wait_;
  std::atomic<bool> ready_{false};

  std::mutex park_mu_;
  std::condition_variable park_cv_;
  std::vector<Parked> parked_;  // guarded by park_mu_
  bool stopping_ = false;       // guarded by park_mu_
  std::thread waiter_;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
