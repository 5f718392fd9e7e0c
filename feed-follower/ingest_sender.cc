#include "feed-follower/ingest_sender.h"

#include <atomic>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/channel.h"

namespace relmon::feeds {

using relations::v1::Article;
using relations::v1::StreamArticlesRequest;
using relations::v1::StreamArticlesResponse;

IngestSender::IngestSender(IngestSenderOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<IngestSender>> IngestSender::Create(IngestSenderOptions options) {
  if (options.target.empty()) return absl::InvalidArgumentError("--ingest_target is required");
  std::unique_ptr<IngestSender> sender(new IngestSender(std::move(options)));
  if (absl::Status status = sender->Connect(); !status.ok()) return status;
  return sender;
}

absl::Status IngestSender::Connect() {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(options_.max_send_message_bytes);
  // A channel of its own (no subchannel shared with earlier channels), so a
  // reconnect after a failure is attempted at once: the retry pacing is
  // ours (Send's backoff), not gRPC's reconnect backoff, which grows to
  // minutes and would delay noticing that the service is back.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Between polls the connection is closed: an idle follower must not hold
  // ingest-service's graceful shutdown up.
  args.SetInt(GRPC_ARG_CLIENT_IDLE_TIMEOUT_MS, 5000);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      relmon::MakeChannelCredentials(options_.security, &args);
  if (!credentials.ok()) return credentials.status();
  channel_ = grpc::CreateCustomChannel(options_.target, *credentials, args);
  stub_ = relations::v1::IngestService::NewStub(channel_);
  return absl::OkStatus();
}

grpc::Status IngestSender::Attempt(const std::vector<Article>& articles, const std::vector<size_t>& pending,
                                   const StopSignal& stop, std::vector<std::optional<IngestAck>>* acks) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(options_.attempt_timeout)));
  std::unique_ptr<grpc::ClientReaderWriter<StreamArticlesRequest, StreamArticlesResponse>> stream =
      stub_->StreamArticles(&context);

  std::atomic<bool> done{false};
  // Writes on their own thread: responses are read concurrently, so neither
  // side's flow-control window can fill up and stall the other.
  std::thread writer([&] {
    StreamArticlesRequest request;
    for (size_t index : pending) {
      *request.mutable_article() = articles[index];
      request.set_client_ref(absl::StrCat(index));
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  // Cancels the call when a stop request outlasts the drain period.
  std::thread watchdog([&] {
    while (!done.load()) {
      if (stop.WaitFor(absl::Milliseconds(100))) {
        absl::Time until = absl::Now() + options_.drain_on_stop;
        while (!done.load() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(20));
        if (!done.load()) context.TryCancel();
        return;
      }
    }
  });

  StreamArticlesResponse response;
  while (stream->Read(&response)) {
    size_t index = 0;
    if (!absl::SimpleAtoi(response.client_ref(), &index) || index >= articles.size()) {
      LogWarning("ingest answered an unknown client_ref", {{"client_ref", response.client_ref()}});
      continue;
    }
    IngestAck ack;
    ack.outcome = response.outcome();
    ack.article_id = response.article_id();
    ack.sequence = response.sequence();
    ack.message = response.message();
    (*acks)[index] = std::move(ack);
  }
  writer.join();
  grpc::Status status = stream->Finish();
  done.store(true);
  watchdog.join();
  return status;
}

absl::Status IngestSender::Send(const std::vector<Article>& articles, const StopSignal& stop,
                                std::vector<std::optional<IngestAck>>* acks) {
  acks->assign(articles.size(), std::nullopt);
  absl::Duration backoff = options_.initial_backoff;
  while (true) {
    std::vector<size_t> pending;
    for (size_t i = 0; i < articles.size(); ++i) {
      if (!(*acks)[i].has_value()) pending.push_back(i);
    }
    if (pending.empty()) return absl::OkStatus();
    if (stop.stopped()) return absl::CancelledError("stopping before every article was acknowledged");
    const size_t before = pending.size();
    grpc::Status status = Attempt(articles, pending, stop, acks);
    size_t still = 0;
    for (size_t i : pending) still += (*acks)[i].has_value() ? 0 : 1;
    if (still == 0) return absl::OkStatus();
    ++failed_attempts_;
    if (still < before) backoff = options_.initial_backoff;  // progress: the service is there
    LogWarning("ingest stream failed; will resend what was not acknowledged",
               {{"target", options_.target},
                {"code", absl::StrCat(static_cast<int>(status.error_code()))},
                {"error", status.error_message()},
                {"unacknowledged", absl::StrCat(still)},
                {"retry_in_ms", absl::StrCat(absl::ToInt64Milliseconds(backoff))}});
    if (stop.WaitFor(backoff)) return absl::CancelledError("stopping before every article was acknowledged");
    backoff = std::min(backoff * 2, options_.max_backoff);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      // Certificates or the token may have been rotated (or removed) since
      // the start: keep the old channel when the new files do not load.
      if (absl::Status reconnect = Connect(); !reconnect.ok()) {
        LogWarning("cannot reload the ingest channel's TLS files; keeping the old channel",
                   {{"error", reconnect.ToString()}});
      }
    }
  }
}

}  // namespace relmon::feeds
