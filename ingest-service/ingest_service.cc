#include "ingest-service/ingest_service.h"

#include <deque>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace relmon::ingest {

using relations::v1::IngestArticleRequest;
using relations::v1::IngestArticleResponse;
using relations::v1::LogEvent;
using relations::v1::StreamArticlesRequest;
using relations::v1::StreamArticlesResponse;
using relations::v1::SubscribeEventsRequest;
using relations::v1::SubscribeEventsResponse;

namespace {

template <typename Response>
void FillResponse(const IngestResult& r, Response* response) {
  response->set_article_id(r.article_id);
  response->set_sequence(r.sequence);
  response->set_outcome(r.outcome);
  response->set_message(r.message);
}

}  // namespace

// StreamArticles: reads up to max_in_flight articles ahead, hands each to the
// intake, and writes the answers strictly in request order, each once its
// article is durable. A message that does not parse gets its REJECTED answer
// in its turn and the stream goes on (gRPC frames each message, so the next
// one is unaffected). Deletes itself after OnDone once no intake callback
// can reach it any more, and only then releases its place in the service's
// stream limit (its articles are in flight until then).
class StreamReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(IngestServiceImpl* service, size_t max_in_flight)
      : service_(service),
        intake_(service->intake_),
        max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight) {
    std::lock_guard<std::mutex> lock(mu_);
    MaybeStartReadLocked();
  }
  ~StreamReactor() override { service_->ReleaseArticleStream(); }

  void OnReadDone(bool ok) override {
    mu_.lock();
    reading_ = false;
    if (!ok) {
      read_closed_ = true;  // half-close (or a broken stream; OnCancel says which)
      PumpLocked();
      mu_.unlock();
      return;
    }
    if (stop_) {
      PumpLocked();
      mu_.unlock();
      return;
    }
    ++messages_read_;
    auto slot = std::make_unique<Slot>();
    StreamArticlesRequest request;
    absl::Status parsed = relmon::ParseRequestBytes(request_bytes_, &request);
    request_bytes_.Clear();
    slot->client_ref = request.client_ref();
    if (!parsed.ok()) {
      // Answered in its turn like any rejected article; nothing is written.
      slot->ready = true;
      slot->response.set_client_ref(slot->client_ref);
      slot->response.set_outcome(relations::v1::INGEST_OUTCOME_REJECTED);
      slot->response.set_message(
          slot->client_ref.empty()
              ? absl::StrCat("message ", messages_read_, " of this stream: ", parsed.message(),
                             " (no client_ref could be read)")
              : std::string(parsed.message()));
      Log(LogLevel::kDebug, "stream message refused", {{"error", std::string(parsed.message())}});
      slots_.push_back(std::move(slot));
      MaybeStartReadLocked();
      PumpLocked();
      mu_.unlock();
      return;
    }
    Slot* raw = slot.get();
    slots_.push_back(std::move(slot));
    ++pending_ops_;
    relations::v1::Article article = std::move(*request.mutable_article());
    // The turn is taken before the next read can complete elsewhere.
    const uint64_t ticket = order_->Take();
    MaybeStartReadLocked();
    mu_.unlock();
    // Outside the lock: the intake may answer inline (when shutting down).
    intake_->IngestAsync(
        std::move(article),
        [this, raw](absl::StatusOr<IngestResult> r) { OnIngested(raw, std::move(r)); }, order_,
        ticket);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok && !stop_) {
      stop_ = true;
      finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the response stream broke");
    }
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      stop_ = true;
      finish_status_ = grpc::Status::CANCELLED;
    }
    PumpLocked();
  }

  void OnDone() override {
    bool delete_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      delete_now = pending_ops_ == 0;
    }
    if (delete_now) delete this;
  }

 private:
  struct Slot {
    std::string client_ref;
    bool ready = false;
    // Set when the article could not be processed (storage unavailable);
    // the stream then ends with this status once earlier answers are sent.
    absl::Status error;
    StreamArticlesResponse response;
  };

  void OnIngested(Slot* slot, absl::StatusOr<IngestResult> result) {
    bool delete_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      --pending_ops_;
      slot->ready = true;
      if (result.ok()) {
        slot->response.set_client_ref(slot->client_ref);
        FillResponse(*result, &slot->response);
      } else {
        slot->error = result.status();
      }
      if (done_) {
        delete_now = pending_ops_ == 0;
      } else {
        PumpLocked();
      }
    }
    if (delete_now) delete this;
  }

  void MaybeStartReadLocked() {
    if (reading_ || read_closed_ || stop_ || finished_ || slots_.size() >= max_in_flight_) return;
    reading_ = true;
    StartRead(&request_bytes_);
  }

  // Moves the stream on: writes the next ready answer in order, finishes
  // when everything is answered after half-close, or when stopping.
  void PumpLocked() {
    if (finished_ || writing_) return;  // OnWriteDone calls back here
    if (stop_) {
      FinishLocked(finish_status_);
      return;
    }
    if (!slots_.empty() && slots_.front()->ready) {
      Slot& front = *slots_.front();
      if (!front.error.ok()) {
        LogWarning("stream ended by a storage error", {{"error", front.error.ToString()}});
        FinishLocked(ToGrpcStatus(front.error));
        return;
      }
      grpc::Status serialized = relmon::SerializeToByteBuffer(front.response, &response_bytes_);
      slots_.pop_front();
      if (!serialized.ok()) {
        FinishLocked(serialized);
        return;
      }
      writing_ = true;
      StartWrite(&response_bytes_);
      MaybeStartReadLocked();
      return;
    }
    if (slots_.empty() && read_closed_) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    MaybeStartReadLocked();
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    stop_ = true;
    Finish(status);
  }

  IngestServiceImpl* const service_;
  Intake* const intake_;
  const size_t max_in_flight_;
  // Keeps this stream's articles in request order in the log.
  const std::shared_ptr<AppendOrder> order_ = std::make_shared<AppendOrder>();

  std::mutex mu_;  // guards every member below (std::mutex: visible to TSan)
  grpc::ByteBuffer request_bytes_;
  grpc::ByteBuffer response_bytes_;
  uint64_t messages_read_ = 0;
  std::deque<std::unique_ptr<Slot>> slots_;
  bool reading_ = false;
  bool read_closed_ = false;
  bool writing_ = false;
  bool stop_ = false;
  bool finished_ = false;
  bool done_ = false;
  int pending_ops_ = 0;
  grpc::Status finish_status_;
};

// SubscribeEvents: reads the log in chunks on the reader pool, writes one
// event at a time (OnWriteDone drives the next), and when it has caught up
// waits for the log's commit notification. Deletes itself after OnDone once
// no read can reach it any more.
class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  SubscribeReactor(IngestServiceImpl* service, uint64_t from_sequence)
      : service_(service),
        log_(service->log_),
        next_sequence_(from_sequence == 0 ? 1 : from_sequence) {}

  // Called once after construction (not from the constructor, so that a
  // commit notification never reaches a half-built reactor).
  void Begin(const grpc::Status& refusal) {
    if (!refusal.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      finish_status_ = refusal;
      PumpLocked();
      return;
    }
    grpc::Status registered = service_->RegisterSubscriber(this);
    registered_ = registered.ok();
    if (!registered_) {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      finish_status_ = registered;
      PumpLocked();
      return;
    }
    listener_id_ = log_->AddCommitListener([this](uint64_t) {
      std::lock_guard<std::mutex> lock(mu_);
      PumpLocked();
    });
    std::lock_guard<std::mutex> lock(mu_);
    PumpLocked();
  }

  // From the service on shutdown.
  void Stop(const grpc::Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      stop_ = true;
      finish_status_ = status;
    }
    PumpLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok && !stop_) {
      stop_ = true;
      finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the event stream broke");
    }
    PumpLocked();
  }

  void OnCancel() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stop_) {
      stop_ = true;
      finish_status_ = grpc::Status::CANCELLED;
    }
    PumpLocked();
  }

  void OnDone() override {
    if (listener_id_ != 0) log_->RemoveCommitListener(listener_id_);
    if (registered_) service_->UnregisterSubscriber(this);
    bool delete_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      delete_now = pending_reads_ == 0;
    }
    if (delete_now) delete this;
  }

 private:
  void PumpLocked() {
    if (finished_ || writing_) return;
    if (stop_) {
      finished_ = true;
      Finish(finish_status_);
      return;
    }
    if (!buffer_.empty()) {
      response_.Clear();
      response_.mutable_event()->Swap(&buffer_.front());
      buffer_.pop_front();
      grpc::Status serialized = relmon::SerializeToByteBuffer(response_, &response_bytes_);
      if (!serialized.ok()) {
        finished_ = true;
        Finish(serialized);
        return;
      }
      writing_ = true;
      StartWrite(&response_bytes_);
      return;
    }
    if (reading_ || next_sequence_ > log_->last_sequence()) return;  // a commit wakes us
    reading_ = true;
    ++pending_reads_;
    const uint64_t from = next_sequence_;
    if (!service_->readers_.Submit([this, from] { ReadChunk(from); })) {
      reading_ = false;
      --pending_reads_;
      stop_ = true;
      finish_status_ =
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "the ingest service is shutting down");
      PumpLocked();
    }
  }

  void ReadChunk(uint64_t from) {
    absl::StatusOr<std::vector<LogEvent>> events = log_->ReadFrom(
        from, service_->options_.subscribe_chunk_events, service_->options_.subscribe_chunk_bytes);
    bool delete_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = false;
      --pending_reads_;
      if (!events.ok()) {
        LogError("event log read failed", {{"error", events.status().ToString()}});
        if (!stop_) {
          stop_ = true;
          finish_status_ =
              grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(events.status().message()));
        }
      } else {
        next_sequence_ += events->size();
        for (LogEvent& e : *events) buffer_.push_back(std::move(e));
      }
      if (done_) {
        delete_now = pending_reads_ == 0;
      } else {
        PumpLocked();
      }
    }
    if (delete_now) delete this;
  }

  IngestServiceImpl* const service_;
  EventLog* const log_;
  bool registered_ = false;
  int listener_id_ = 0;

  std::mutex mu_;  // guards every member below (std::mutex: visible to TSan)
  uint64_t next_sequence_;
  std::deque<LogEvent> buffer_;
  SubscribeEventsResponse response_;
  grpc::ByteBuffer response_bytes_;
  bool reading_ = false;
  bool writing_ = false;
  bool stop_ = false;
  bool finished_ = false;
  bool done_ = false;
  int pending_reads_ = 0;
  grpc::Status finish_status_;
};

IngestServiceImpl::IngestServiceImpl(const IngestServiceOptions& options, Intake* intake,
                                     EventLog* log)
    : options_(options), intake_(intake), log_(log), readers_(options.reader_threads) {
  ServeBidi("StreamArticles",
            [this](grpc::CallbackServerContext* context) { return StreamArticles(context); });
  ServeUnary<IngestArticleRequest, IngestArticleResponse>(
      "IngestArticle",
      [this](grpc::CallbackServerContext* context, const IngestArticleRequest& request,
             IngestArticleResponse* response, relmon::UnaryResponder responder) {
        IngestArticle(context, request, response, std::move(responder));
      });
  ServeServerStreaming<SubscribeEventsRequest>(
      "SubscribeEvents",
      [this](grpc::CallbackServerContext* context, const SubscribeEventsRequest& request) {
        return SubscribeEvents(context, request);
      });
}

IngestServiceImpl::~IngestServiceImpl() { Stop(); }

void IngestServiceImpl::BeginShutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  for (SubscribeReactor* r : subscribers_) {
    r->Stop(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the ingest service is shutting down"));
  }
}

void IngestServiceImpl::Stop() { readers_.Shutdown(); }

size_t IngestServiceImpl::subscriber_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return subscribers_.size();
}

size_t IngestServiceImpl::article_stream_count() {
  std::lock_guard<std::mutex> lock(mu_);
  return article_streams_;
}

grpc::Status IngestServiceImpl::RegisterSubscriber(SubscribeReactor* reactor) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the ingest service is shutting down");
  }
  if (subscribers_.size() >= options_.max_event_subscribers) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many SubscribeEvents subscribers: the limit is ",
                     options_.max_event_subscribers,
                     " (--max_event_subscribers); retry later with backoff"));
  }
  subscribers_.insert(reactor);
  return grpc::Status::OK;
}

void IngestServiceImpl::UnregisterSubscriber(SubscribeReactor* reactor) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(reactor);
}

bool IngestServiceImpl::AcquireArticleStream() {
  std::lock_guard<std::mutex> lock(mu_);
  if (article_streams_ >= options_.max_article_streams) return false;
  ++article_streams_;
  return true;
}

void IngestServiceImpl::ReleaseArticleStream() {
  std::lock_guard<std::mutex> lock(mu_);
  --article_streams_;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* IngestServiceImpl::StreamArticles(
    grpc::CallbackServerContext* /*context*/) {
  if (!AcquireArticleStream()) {
    return new relmon::FinishedBidiReactor(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("too many StreamArticles streams: the limit is ",
                     options_.max_article_streams,
                     " (--max_article_streams); retry later with backoff, or send more "
                     "articles on an open stream")));
  }
  return new StreamReactor(this, options_.max_in_flight_per_stream);
}

void IngestServiceImpl::IngestArticle(grpc::CallbackServerContext* /*context*/,
                                      const IngestArticleRequest& request,
                                      IngestArticleResponse* response,
                                      relmon::UnaryResponder responder) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ingest_calls_ >= options_.max_ingest_calls) {
      responder.Finish(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("too many IngestArticle calls in progress: the limit is ",
                       options_.max_ingest_calls,
                       " (--max_ingest_calls); retry later with backoff, or use "
                       "StreamArticles")));
      return;
    }
    ++ingest_calls_;
  }
  intake_->IngestAsync(
      request.article(), [this, responder, response](absl::StatusOr<IngestResult> r) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          --ingest_calls_;
        }
        if (!r.ok()) {
          responder.Finish(ToGrpcStatus(r.status()));
          return;
        }
        FillResponse(*r, response);
        responder.Finish(grpc::Status::OK);
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* IngestServiceImpl::SubscribeEvents(
    grpc::CallbackServerContext* /*context*/, const SubscribeEventsRequest& request) {
  auto* reactor = new SubscribeReactor(this, request.from_sequence());
  grpc::Status refusal;
  const uint64_t last = log_->last_sequence();
  if (request.from_sequence() > last + 1) {
    refusal = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                           absl::StrCat("from_sequence ", request.from_sequence(),
                                        " is beyond the end of the log (last sequence ", last,
                                        "); a consumer's cursor must come from this log"));
  }
  reactor->Begin(refusal);
  return reactor;
}

}  // namespace relmon::ingest
