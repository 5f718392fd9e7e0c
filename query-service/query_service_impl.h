// QueryServiceImpl: the gRPC face of QueryEngine. It waits for
// min_sequence, answers UNAVAILABLE while starting or draining, calls the
// engine and turns absl::Status into grpc::Status (with a
// google.rpc.BadRequest detail naming the field of an INVALID_ARGUMENT).
#ifndef RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
#define RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_

#include <atomic>

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

class QueryServiceImpl final : public relations::v1::QueryService::Service {
 public:
  // `engine` and `store` must outlive the service. `max_wait`: how long
  // min_sequence may wait when the call has no deadline.
  QueryServiceImpl(const QueryEngine* engine, const ViewStore* store,
                   absl::Duration max_wait = absl::Seconds(30));

  // False: every call answers UNAVAILABLE (starting, or draining).
  void SetReady(bool ready) { ready_.store(ready); }
  bool ready() const { return ready_.load(); }

  grpc::Status GetRelationsState(grpc::ServerContext* context,
                                 const relations::v1::GetRelationsStateRequest* request,
                                 relations::v1::RelationsState* response) override;
  grpc::Status ListRelationsTimeline(
      grpc::ServerContext* context, const relations::v1::ListRelationsTimelineRequest* request,
      relations::v1::ListRelationsTimelineResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context,
                          const relations::v1::ListEventsRequest* request,
                          relations::v1::ListEventsResponse* response) override;
  grpc::Status ListAgreements(grpc::ServerContext* context,
                              const relations::v1::ListAgreementsRequest* request,
                              relations::v1::ListAgreementsResponse* response) override;
  grpc::Status GetAgreement(grpc::ServerContext* context,
                            const relations::v1::GetAgreementRequest* request,
                            relations::v1::Agreement* response) override;
  grpc::Status ListFigures(grpc::ServerContext* context,
                           const relations::v1::ListFiguresRequest* request,
                           relations::v1::ListFiguresResponse* response) override;
  grpc::Status ListDisputedFigures(grpc::ServerContext* context,
                                   const relations::v1::ListDisputedFiguresRequest* request,
                                   relations::v1::ListDisputedFiguresResponse* response) override;
  grpc::Status GetArticle(grpc::ServerContext* context,
                          const relations::v1::GetArticleRequest* request,
                          relations::v1::ArticleSummary* response) override;

 private:
  // UNAVAILABLE when not ready; waits for min_sequence within the deadline.
  grpc::Status Admit(grpc::ServerContext* context, uint64_t min_sequence) const;

  template <typename T>
  grpc::Status Reply(absl::StatusOr<T> result, T* response) const {
    if (!result.ok()) return ToGrpcStatus(result.status());
    *response = *std::move(result);
    return grpc::Status::OK;
  }

  const QueryEngine* engine_;
  const ViewStore* store_;
  absl::Duration max_wait_;
  std::atomic<bool> ready_{false};
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_QUERY_SERVICE_IMPL_H_
