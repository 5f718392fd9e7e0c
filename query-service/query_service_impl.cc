#include "query-service/query_service_impl.h"

#include <algorithm>
#include <memory>
#include <optional>
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
                                   absl::Duration max_wait, AnswerCache* cache,
                                   int max_waiting_calls)
    : engine_(engine),
      store_(store),
      max_wait_(max_wait),
      cache_(cache),
      max_waiting_calls_(max_waiting_calls) {
  namespace v1 = relations::v1;
  ServeQuery<v1::GetRelationsStateRequest, v1::RelationsState>(
      "GetRelationsState", 's', &QueryEngine::GetRelationsState);
  ServeQuery<v1::ListRelationsTimelineRequest, v1::ListRelationsTimelineResponse>(
      "ListRelationsTimeline", 't', &QueryEngine::ListRelationsTimeline);
  ServeQuery<v1::ListEventsRequest, v1::ListEventsResponse>("ListEvents", 'e',
                                                            &QueryEngine::ListEvents);
  ServeQuery<v1::ListAgreementsRequest, v1::ListAgreementsResponse>(
      "ListAgreements", 'a', &QueryEngine::ListAgreements);
  ServeQuery<v1::GetAgreementRequest, v1::Agreement>("GetAgreement", 'g',
                                                     &QueryEngine::GetAgreement);
  ServeQuery<v1::ListFiguresRequest, v1::ListFiguresResponse>("ListFigures", 'f',
                                                              &QueryEngine::ListFigures);
  ServeQuery<v1::ListDisputedFiguresRequest, v1::ListDisputedFiguresResponse>(
      "ListDisputedFigures", 'd', &QueryEngine::ListDisputedFigures);
  ServeQuery<v1::GetArticleRequest, v1::ArticleSummary>("GetArticle", 'r',
                                                        &QueryEngine::GetArticle);
  waiter_ = std::thread([this] { WaitLoop(); });
}

template <class Request, class Response>
void QueryServiceImpl::ServeQuery(std::string_view method, char tag,
                                  absl::StatusOr<Response> (QueryEngine::*call)(const Request&)
                                      const) {
  ServeRawUnary(method, [this, tag, call](grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request_bytes,
                                          grpc::ByteBuffer* response_bytes) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (!ready_.load()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                   "query service is starting or shutting down"));
      return reactor;
    }
    // The cache key is the method's tag and the request exactly as sent.
    auto key = std::make_shared<std::string>(1, tag);
    const bool readable = AppendByteBuffer(*request_bytes, key.get());
    if (readable && cache_ != nullptr && cache_->enabled()) {
      // A hit needs no parsing: the same bytes parsed and were answered at
      // the current sequence, so their min_sequence is already applied.
      if (std::optional<grpc::Slice> hit =
              cache_->Lookup(*key, store_->applied_sequence(), absl::Now())) {
        *response_bytes = grpc::ByteBuffer(&*hit, 1);
        reactor->Finish(grpc::Status::OK);
        return reactor;
      }
    }
    auto request = std::make_shared<Request>();
    absl::Status parsed =
        readable ? relmon::ParseRequestBytes(std::string_view(*key).substr(1), request.get())
                 : absl::InvalidArgumentError("the request could not be read");
    if (!parsed.ok()) {
      reactor->Finish(ToGrpcStatus(parsed));
      return reactor;
    }
    const uint64_t min_sequence = request->min_sequence();
    return Handle(context, reactor, min_sequence, [this, key, request, call, response_bytes] {
      return Answer<Request, Response>(*key, *request, call, response_bytes);
    });
  });
}

template <class Request, class Response>
grpc::Status QueryServiceImpl::Answer(
    const std::string& key, const Request& request,
    absl::StatusOr<Response> (QueryEngine::*call)(const Request&) const,
    grpc::ByteBuffer* response_bytes) {
  // Read before computing: see AnswerCache on why this order is safe.
  const uint64_t sequence = store_->applied_sequence();
  const absl::Time now = absl::Now();
  const bool cached = cache_ != nullptr && cache_->enabled();
  absl::StatusOr<Response> result = (engine_->*call)(request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  std::string bytes;
  if (!result->SerializeToString(&bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "the answer could not be serialized");
  }
  grpc::Slice slice(bytes);
  if (cached) cache_->Insert(key, sequence, now, slice);
  *response_bytes = grpc::ByteBuffer(&slice, 1);
  return grpc::Status::OK;
}

QueryServiceImpl::~QueryServiceImpl() { Stop(); }

void QueryServiceImpl::Stop() {
  {
    std::lock_guard<std::mutex> lock(park_mu_);
    stopping_ = true;
  }
  park_cv_.notify_all();
  if (waiter_.joinable()) waiter_.join();
}

absl::Time QueryServiceImpl::WaitDeadline(grpc::CallbackServerContext* context) const {
  absl::Time deadline = absl::Now() + max_wait_;
  auto call_deadline = context->deadline();
  if (call_deadline != std::chrono::system_clock::time_point::max()) {
    // Answer a little before the caller gives up, so it reads our message
    // (which sequence was reached) rather than its own timeout.
    absl::Time caller = absl::FromChrono(call_deadline);
    absl::Duration margin = std::min(absl::Milliseconds(100), (caller - absl::Now()) / 10);
    deadline = std::min(deadline, caller - std::max(margin, absl::ZeroDuration()));
  }
  return deadline;
}

grpc::ServerUnaryReactor* QueryServiceImpl::Handle(grpc::CallbackServerContext* context,
                                                   grpc::ServerUnaryReactor* reactor,
                                                   uint64_t min_sequence,
                                                   std::function<grpc::Status()> answer) {
  if (min_sequence == 0 || store_->applied_sequence() >= min_sequence) {
    reactor->Finish(answer());
    return reactor;
  }
  Parked parked;
  parked.min_sequence = min_sequence;
  parked.deadline = WaitDeadline(context);
  parked.context = context;
  parked.reactor = reactor;
  parked.answer = std::move(answer);
  bool full = false;
  {
    std::lock_guard<std::mutex> lock(park_mu_);
    if (static_cast<int>(parked_.size()) >= max_waiting_calls_) {
      full = true;
    } else if (!stopping_) {
      parked_.push_back(std::move(parked));
      parked.reactor = nullptr;
    }
  }
  if (full) {
    reactor->Finish(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many calls waiting for their min_sequence: the limit is ",
                     max_waiting_calls_, " (--max_waiting_calls); the view has applied sequence ",
                     store_->applied_sequence(), ", retry later with backoff")));
  } else if (parked.reactor != nullptr) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "query service is shutting down"));
  } else {
    park_cv_.notify_one();
  }
  return reactor;
}

void QueryServiceImpl::WaitLoop() {
  std::unique_lock<std::mutex> lock(park_mu_);
  while (true) {
    if (stopping_) break;
    if (parked_.empty()) {
      park_cv_.wait(lock);
      continue;
    }
    uint64_t lowest = parked_.front().min_sequence;
    absl::Time earliest = parked_.front().deadline;
    for (const Parked& p : parked_) {
      lowest = std::min(lowest, p.min_sequence);
      earliest = std::min(earliest, p.deadline);
    }
    lock.unlock();
    // Wakes as soon as the applier reaches `lowest`; the short slice also
    // notices newly parked lower sequences, cancellations and shutdown.
    store_->WaitForSequence(lowest, std::min(earliest, absl::Now() + absl::Milliseconds(2)));
    lock.lock();
    const uint64_t applied = store_->applied_sequence();
    const absl::Time now = absl::Now();
    const bool ready = ready_.load();
    std::vector<std::pair<Parked, grpc::Status>> done;
    std::vector<Parked> answer_now;
    std::vector<Parked> still;
    for (Parked& p : parked_) {
      if (p.min_sequence <= applied) {
        answer_now.push_back(std::move(p));
      } else if (p.context->IsCancelled()) {
        done.emplace_back(std::move(p), grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
      } else if (!ready) {
        done.emplace_back(std::move(p), grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                                     "query service is shutting down"));
      } else if (now >= p.deadline) {
        grpc::Status status(
            grpc::StatusCode::DEADLINE_EXCEEDED,
            absl::StrCat("min_sequence ", p.min_sequence, " not applied before the deadline; ",
                         "the view has applied sequence ", applied));
        done.emplace_back(std::move(p), std::move(status));
      } else {
        still.push_back(std::move(p));
      }
    }
    parked_ = std::move(still);
    lock.unlock();
    for (Parked& p : answer_now) p.reactor->Finish(p.answer());
    for (auto& [p, status] : done) p.reactor->Finish(status);
    lock.lock();
  }
  std::vector<Parked> left = std::move(parked_);
  parked_.clear();
  lock.unlock();
  for (Parked& p : left) {
    p.reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "query service is shutting down"));
  }
}


}  // namespace relmon::query
