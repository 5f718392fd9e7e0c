#include "query-service/log_follower.h"

#include <algorithm>
#if defined(__GLIBC__) && !defined(RELMON_JEMALLOC)
#include <malloc.h>
#endif
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/tls.h"

namespace relmon::query {

using relations::v1::LogEvent;

LogFollower::LogFollower(ViewStore* store, LogFollowerOptions options)
    : store_(store), options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  // Notice a dead ingest service on an idle stream.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Our own backoff decides when to retry; keep gRPC's reconnect short.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Plaintext unless options_.tls names TLS files (main() has already
  // checked that they load, so an error here is a file that vanished).
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(options_.tls, &args);
  if (!credentials.ok()) {
    LogError("cannot load the TLS files of the ingest channel",
             {{"error", std::string(credentials.status().message())}});
  }
  channel_ = grpc::CreateCustomChannel(
      options_.ingest_target,
      credentials.ok() ? *credentials : grpc::InsecureChannelCredentials(), args);
  stub_ = relations::v1::IngestService::NewStub(channel_);
}

LogFollower::~LogFollower() { Stop(); }

void LogFollower::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  reader_ = std::thread([this] { ReadLoop(); });
  applier_ = std::thread([this] { ApplyLoop(); });
}

void LogFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || !started_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (reader_.joinable()) reader_.join();
  if (applier_.joinable()) applier_.join();
}

FollowerStatus LogFollower::status() const {
  FollowerStatus status;
  status.applied_sequence = store_->applied_sequence();
  status.received_sequence = std::max(received_sequence_.load(), status.applied_sequence);
  status.connected = channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY;
  absl::MutexLock lock(&status_mu_);
  status.last_event_recorded_at = last_event_recorded_at_;
  status.last_applied_at = last_applied_at_;
  status.last_stream_code = last_stream_code_;
  status.last_stream_error = last_stream_error_;
  return status;
}

void LogFollower::Resubscribe() {
  absl::MutexLock lock(&mu_);
  queue_.clear();
  ++generation_;
  if (context_ != nullptr) context_->TryCancel();
}

void LogFollower::ReadLoop() {
  absl::BitGen rng;
  absl::Duration backoff = options_.initial_backoff;
  int failures = 0;
  while (true) {
    uint64_t from;
    uint64_t generation;
    grpc::ClientContext context;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      // Start after what is applied and what is still queued.
      from = store_->applied_sequence() + 1;
      if (!queue_.empty()) from = std::max(from, queue_.back().sequence() + 1);
      generation = generation_;
      context_ = &context;
    }
    relations::v1::SubscribeEventsRequest request;
    request.set_from_sequence(from);
    Log(LogLevel::kDebug, "subscribing to the event log", {{"from_sequence", absl::StrCat(from)}});
    auto reader = stub_->SubscribeEvents(&context, request);
    relations::v1::SubscribeEventsResponse response;
    bool received = false;
    // Whether we leave the stream ourselves (stop, resubscribe): only then is
    // it cancelled, so an error the ingest service ended it with (e.g.
    // RESOURCE_EXHAUSTED when it sheds subscribers) is what Finish reports,
    // not a CANCELLED of our own making.
    bool left = false;
    while (reader->Read(&response)) {
      if (response.event().sequence() > received_sequence_.load()) {
        received_sequence_.store(response.event().sequence());
      }
      if (!received) {
        received = true;
        backoff = options_.initial_backoff;
        if (failures > 0) {
          LogInfo("following the event log again", {{"from_sequence", absl::StrCat(from)}});
        }
        failures = 0;
      }
      Log(LogLevel::kDebug, "log event received",
          {{"sequence", absl::StrCat(response.event().sequence())}});
      absl::MutexLock lock(&mu_);
      auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || static_cast<int>(queue_.size()) < options_.max_queued;
      };
      mu_.Await(absl::Condition(&room));
      if (stopping_ || generation != generation_) {
        left = true;
        break;
      }
      queue_.push_back(std::move(*response.mutable_event()));
    }
    {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    }
    if (left) context.TryCancel();
    grpc::Status status = reader->Finish();
    if (!status.ok() && !left) {
      absl::MutexLock lock(&status_mu_);
      last_stream_code_ = static_cast<int>(status.error_code());
      last_stream_error_ = status.error_message();
    }
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      if (generation != generation_) continue;  // resubscribe at once
    }
    if (!received) ++failures;
    // Log the first failure of a series and then every tenth, not each retry.
    bool log_now = failures == 1 || (failures > 0 && failures % 10 == 0);
    if (log_now && (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                    status.error_code() == grpc::StatusCode::OUT_OF_RANGE)) {
      // Our cursor is beyond the log: the ingest service's log was replaced.
      LogError("the ingest service refuses our cursor; restart with --rebuild if its log was reset",
               {{"ingest_target", options_.ingest_target},
                {"from_sequence", absl::StrCat(from)},
                {"error", status.error_message()}});
    } else if (log_now) {
      LogWarning("event log stream ended; reconnecting",
                 {{"ingest_target", options_.ingest_target},
                  {"code", absl::StrCat(static_cast<int>(status.error_code()))},
                  {"error", status.error_message()},
                  {"attempt", absl::StrCat(failures)}});
    }
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && received) {
      // The ingest service is shedding load: come back after a real pause
      // even though this stream delivered events before it ended.
      ++failures;
      backoff = std::max(backoff, options_.initial_backoff * 4);
      if (failures == 1 || failures % 10 == 0) {
        LogWarning("the ingest service ended the event log stream: RESOURCE_EXHAUSTED; backing off",
                   {{"ingest_target", options_.ingest_target},
                    {"error", status.error_message()},
                    {"attempt", absl::StrCat(failures)}});
      }
    }
    absl::Duration wait = backoff * absl::Uniform(rng, 0.8, 1.2);
    backoff = std::min(backoff * 2, options_.max_backoff);
    absl::MutexLock lock(&mu_);
    auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&stop), wait);
    if (stopping_) return;
  }
}

void LogFollower::ReleaseFreedMemory(size_t applied) {
#if defined(__GLIBC__) && !defined(RELMON_JEMALLOC)
  // (With jemalloc its decay returns the pages; see common/allocator_config.cc.)
  // A group of events allocates tens of MB (its write batches and parsed
  // facts) and glibc keeps freed memory in its arenas: RSS then stays at
  // the peak of the largest group. Return it to the system after big
  // groups (catching up), and at most every few seconds otherwise.
  absl::Time now = absl::Now();
  if (applied >= 256 || now - last_trim_ >= absl::Seconds(5)) {
    malloc_trim(0);
    last_trim_ = now;
  }
#else
  (void)applied;
#endif
}

void LogFollower::ApplyLoop() {
  std::vector<LogEvent> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      uint64_t next = store_->applied_sequence() + 1;
      bool gap = false;
      while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
        LogEvent& e = queue_.front();
        if (e.sequence() < next) {  // already applied
          queue_.pop_front();
          continue;
        }
        if (e.sequence() > next) {
          gap = true;
          break;
        }
        batch.push_back(std::move(e));
        queue_.pop_front();
        ++next;
      }
      if (gap && batch.empty()) {
        LogError("event log gap; resubscribing",
                 {{"expected_sequence", absl::StrCat(next)},
                  {"got_sequence", absl::StrCat(queue_.front().sequence())}});
        queue_.clear();
        ++generation_;
        if (context_ != nullptr) context_->TryCancel();
        continue;
      }
    }
    if (batch.empty()) continue;
    absl::Status s = store_->Apply(batch);
    ReleaseFreedMemory(batch.size());
    if (s.ok()) {
      absl::MutexLock lock(&status_mu_);
      last_applied_at_ = absl::Now();
      if (batch.back().has_recorded_at()) {
        last_event_recorded_at_ = absl::FromUnixSeconds(batch.back().recorded_at().seconds()) +
                                  absl::Nanoseconds(batch.back().recorded_at().nanos());
      }
    }
    if (!s.ok()) {
      LogError("cannot apply log events; resubscribing",
               {{"first_sequence", absl::StrCat(batch.front().sequence())},
                {"error", std::string(s.message())}});
      Resubscribe();
      // Do not spin on a persistent failure.
      absl::MutexLock lock(&mu_);
      auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&stop), absl::Seconds(1));
    }
  }
}

}  // namespace relmon::query
