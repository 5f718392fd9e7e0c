#include "query-service/query_service_impl.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace relmon::query {
namespace {

// Minimal protobuf wire encoding of google.rpc.Status{code, message,
// details: [Any{BadRequest{field_violations: [{field, description}]}}]}:
// the google/rpc protos are not installed here, and these five fields are
// all a client's error-details parser needs.
void PutLengthDelimited(int field, const std::string& bytes, std::string* out) {
  google::protobuf::io::StringOutputStream stream(out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.WriteTag(static_cast<uint32_t>(field << 3 | 2));
  coded.WriteVarint32(static_cast<uint32_t>(bytes.size()));
  coded.WriteString(bytes);
}

std::string EncodeBadRequestStatus(int code, const std::string& message, const std::string& field) {
  std::string violation;
  PutLengthDelimited(1, field, &violation);
  PutLengthDelimited(2, message, &violation);
  std::string bad_request;
  PutLengthDelimited(1, violation, &bad_request);
  std::string any;
  PutLengthDelimited(1, "type.googleapis.com/google.rpc.BadRequest", &any);
  PutLengthDelimited(2, bad_request, &any);
  std::string status;
  {
    google::protobuf::io::StringOutputStream stream(&status);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(1 << 3 | 0);
    coded.WriteVarint32(static_cast<uint32_t>(code));
  }
  PutLengthDelimited(2, message, &status);
  PutLengthDelimited(3, any, &status);
  return status;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(static_cast<int>(status.code()));
  std::string message(status.message());
  std::string field = ErrorField(status);
  if (status.code() == absl::StatusCode::kInvalidArgument && !field.empty()) {
    return grpc::Status(code, message,
                        EncodeBadRequestStatus(static_cast<int>(code), message, field));
  }
  return grpc::Status(code, message);
}

QueryServiceImpl::QueryServiceImpl(const QueryEngine* engine, const ViewStore* store,
                                   absl::Duration max_wait)
    : engine_(engine), store_(store), max_wait_(max_wait) {}

grpc::Status QueryServiceImpl::Admit(grpc::ServerContext* context, uint64_t min_sequence) const {
  if (!ready_.load()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "query service is starting or shutting down");
  }
  if (min_sequence == 0 || store_->applied_sequence() >= min_sequence) return grpc::Status::OK;
  absl::Time deadline = absl::Now() + max_wait_;
  auto call_deadline = context->deadline();
  if (call_deadline != std::chrono::system_clock::time_point::max()) {
    // Answer a little before the caller gives up, so it reads our message
    // (which sequence was reached) rather than its own timeout.
    absl::Time caller = absl::FromChrono(call_deadline);
    absl::Duration margin = std::min(absl::Milliseconds(100), (caller - absl::Now()) / 10);
    deadline = std::min(deadline, caller - std::max(margin, absl::ZeroDuration()));
  }
  // Wait in slices so a cancelled call or a shutdown is noticed.
  while (true) {
    absl::Time slice = std::min(deadline, absl::Now() + absl::Milliseconds(100));
    if (store_->WaitForSequence(min_sequence, slice)) return grpc::Status::OK;
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled");
    if (!ready_.load()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "query service is shutting down");
    }
    if (absl::Now() >= deadline) break;
  }
  return grpc::Status(
      grpc::StatusCode::DEADLINE_EXCEEDED,
      absl::StrCat("min_sequence ", min_sequence, " not applied before the deadline; ",
                   "the view has applied sequence ", store_->applied_sequence()));
}

grpc::Status QueryServiceImpl::GetRelationsState(
    grpc::ServerContext* context, const relations::v1::GetRelationsStateRequest* request,
    relations::v1::RelationsState* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->GetRelationsState(*request), response);
}

grpc::Status QueryServiceImpl::ListRelationsTimeline(
    grpc::ServerContext* context, const relations::v1::ListRelationsTimelineRequest* request,
    relations::v1::ListRelationsTimelineResponse* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->ListRelationsTimeline(*request), response);
}

grpc::Status QueryServiceImpl::ListEvents(grpc::ServerContext* context,
                                          const relations::v1::ListEventsRequest* request,
                                          relations::v1::ListEventsResponse* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->ListEvents(*request), response);
}

grpc::Status QueryServiceImpl::ListAgreements(grpc::ServerContext* context,
                                              const relations::v1::ListAgreementsRequest* request,
                                              relations::v1::ListAgreementsResponse* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->ListAgreements(*request), response);
}

grpc::Status QueryServiceImpl::GetAgreement(grpc::ServerContext* context,
                                            const relations::v1::GetAgreementRequest* request,
                                            relations::v1::Agreement* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->GetAgreement(*request), response);
}

grpc::Status QueryServiceImpl::ListFigures(grpc::ServerContext* context,
                                           const relations::v1::ListFiguresRequest* request,
                                           relations::v1::ListFiguresResponse* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->ListFigures(*request), response);
}

grpc::Status QueryServiceImpl::ListDisputedFigures(
    grpc::ServerContext* context, const relations::v1::ListDisputedFiguresRequest* request,
    relations::v1::ListDisputedFiguresResponse* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->ListDisputedFigures(*request), response);
}

grpc::Status QueryServiceImpl::GetArticle(grpc::ServerContext* context,
                                          const relations::v1::GetArticleRequest* request,
                                          relations::v1::ArticleSummary* response) {
  if (auto s = Admit(context, request->min_sequence()); !s.ok()) return s;
  return Reply(engine_->GetArticle(*request), response);
}

}  // namespace relmon::query
