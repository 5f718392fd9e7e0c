#include "relctl/commands.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/tls.h"
#include "grpcpp/grpcpp.h"
#include "relations/v1/admin_service.grpc.pb.h"
#include "relations/v1/ingest_service.grpc.pb.h"
#include "relations/v1/query_service.grpc.pb.h"
#include "relctl/article_inputs.h"
#include "relctl/dates.h"
#include "relctl/format.h"
#include "relctl/progress.h"

namespace relctl {
namespace {

namespace rv1 = relations::v1;

constexpr int64_t kDefaultQueryTimeoutMs = 30000;
constexpr int kPageSize = 1000;
constexpr int kMaxPages = 100000;

int TerminalWidth(int fd) {
  if (!isatty(fd)) return 0;
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

bool UseColor(const Invocation& inv) {
  if (inv.no_color || std::getenv("NO_COLOR") != nullptr) return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string(term) == "dumb") return false;
  return isatty(STDOUT_FILENO);
}

// TLS files and token of every channel, set by RunCommand before any
// channel is made (commands only pass the target).
relmon::ClientTlsOptions& ChannelSecurity() {
  static relmon::ClientTlsOptions* security = new relmon::ClientTlsOptions();
  return *security;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 * 1024 * 1024);
  args.SetMaxSendMessageSize(64 * 1024 * 1024);
  // RunCommand has checked that the credentials load.
  auto credentials = relmon::MakeChannelCredentials(ChannelSecurity(), &args);
  return grpc::CreateCustomChannel(
      target, credentials.ok() ? *credentials : grpc::InsecureChannelCredentials(), args);
}

int UsageError(const std::string& message) {
  std::cerr << "relctl: " << message << "\n";
  return kExitUsage;
}

int RpcError(const std::string& what, const std::string& target, const grpc::Status& status) {
  std::cerr << "relctl: " << what << " failed";
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::cerr << " (is the service running at " << target << "?)";
  }
  std::cerr << ": ";
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int code = status.error_code();
  std::cerr << (code >= 0 && code <= 16 ? kNames[code] : "?") << ": " << status.error_message()
            << "\n";
  return kExitRpcFailure;
}

class QueryCommand {
 public:
  explicit QueryCommand(const Invocation& inv)
      : inv_(inv),
        stub_(rv1::QueryService::NewStub(MakeChannel(inv.query_target))),
        style_{UseColor(inv), TerminalWidth(STDOUT_FILENO)},
        pretty_(isatty(STDOUT_FILENO)) {}

  void Prepare(grpc::ClientContext* context) const {
    const int64_t timeout = inv_.timeout_ms > 0 ? inv_.timeout_ms : kDefaultQueryTimeoutMs;
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout));
  }

  int Fail(const std::string& what, const grpc::Status& status) const {
    return RpcError(what, inv_.query_target, status);
  }

  // Reads every page of a List RPC into `all`, moving the repeated field
  // that `items` selects; stops once `limit` items are collected (-1: all).
  template <typename Request, typename Response, typename Call, typename Items>
  grpc::Status ReadAllPages(Request request, Call call, Items items, Response* all,
                            int64_t limit = -1) const {
    auto* into = items(*all);
    auto full = [&] { return limit >= 0 && into->size() >= limit; };
    for (int page = 0; page < kMaxPages; ++page) {
      request.set_page_size(kPageSize);
      grpc::ClientContext context;
      Prepare(&context);
      Response response;
      grpc::Status status = call(&context, request, &response);
      if (!status.ok()) return status;
      for (auto& item : *items(response)) {
        if (full()) break;
        *into->Add() = std::move(item);
      }
      if (response.next_page_token().empty() || full()) break;
      request.set_page_token(response.next_page_token());
    }
    return grpc::Status::OK;
  }

  void Print(const std::string& text) const { std::cout << text << std::flush; }
  void PrintJson(const google::protobuf::Message& message) const {
    std::cout << ToJson(message, pretty_) << "\n" << std::flush;
  }

  int State() {
    rv1::GetRelationsStateRequest request;
    request.set_country_a(inv_.args[0]);
    request.set_country_b(inv_.args[1]);
    request.set_min_sequence(inv_.min_sequence);
    if (inv_.HasFlag("as_of")) {
      auto as_of = ParseDateArgument(inv_.Flag("as_of"), PeriodEdge::kEnd, "--as_of");
      if (!as_of.ok()) return UsageError(std::string(as_of.status().message()));
      *request.mutable_as_of() = ToTimestamp(*as_of);
    }
    if (inv_.HasFlag("known_as_of")) {
      auto known = ParseDateArgument(inv_.Flag("known_as_of"), PeriodEdge::kEnd, "--known_as_of");
      if (!known.ok()) return UsageError(std::string(known.status().message()));
      *request.mutable_known_as_of() = ToTimestamp(*known);
    }
    grpc::ClientContext context;
    Prepare(&context);
    rv1::RelationsState state;
    grpc::Status status = stub_->GetRelationsState(&context, request, &state);
    if (!status.ok()) return Fail("GetRelationsState", status);
    inv_.json ? PrintJson(state) : Print(RenderState(state, style_));
    return kExitOk;
  }

  int Timeline() {
    rv1::ListRelationsTimelineRequest request;
    request.set_country_a(inv_.args[0]);
    request.set_country_b(inv_.args[1]);
    request.set_min_sequence(inv_.min_sequence);
    if (inv_.HasFlag("from")) {
      auto from = ParseDateArgument(inv_.Flag("from"), PeriodEdge::kStart, "--from");
      if (!from.ok()) return UsageError(std::string(from.status().message()));
      *request.mutable_start_time() = ToTimestamp(*from);
    }
    if (inv_.HasFlag("to")) {
      auto to = ParseDateArgument(inv_.Flag("to"), PeriodEdge::kEnd, "--to");
      if (!to.ok()) return UsageError(std::string(to.status().message()));
      *request.mutable_end_time() = ToTimestamp(*to);
    }
    rv1::Granularity granularity = rv1::GRANULARITY_MONTH;
    if (inv_.HasFlag("granularity")) {
      auto parsed = ParseGranularity(inv_.Flag("granularity"));
      if (!parsed.ok()) return UsageError(std::string(parsed.status().message()));
      granularity = *parsed;
    }
    request.set_granularity(granularity);
    if (inv_.HasFlag("known_as_of")) {
      auto known = ParseDateArgument(inv_.Flag("known_as_of"), PeriodEdge::kEnd, "--known_as_of");
      if (!known.ok()) return UsageError(std::string(known.status().message()));
      *request.mutable_known_as_of() = ToTimestamp(*known);
    }
    grpc::ClientContext context;
    Prepare(&context);
    rv1::ListRelationsTimelineResponse response;
    grpc::Status status = stub_->ListRelationsTimeline(&context, request, &response);
    if (!status.ok()) return Fail("ListRelationsTimeline", status);
    inv_.json ? PrintJson(response) : Print(RenderTimeline(response, granularity, style_));
    return kExitOk;
  }

  int Events() {
    rv1::ListEventsRequest request;
    request.set_country_a(inv_.args[0]);
    request.set_country_b(inv_.args[1]);
    request.set_min_sequence(inv_.min_sequence);
    if (inv_.HasFlag("from")) {
      auto from = ParseDateArgument(inv_.Flag("from"), PeriodEdge::kStart, "--from");
      if (!from.ok()) return UsageError(std::string(from.status().message()));
      *request.mutable_start_time() = ToTimestamp(*from);
    }
    if (inv_.HasFlag("to")) {
      // end_time is exclusive: the first instant after the period.
      auto to = ParseDateArgument(inv_.Flag("to"), PeriodEdge::kEnd, "--to");
      if (!to.ok()) return UsageError(std::string(to.status().message()));
      *request.mutable_end_time() = ToTimestamp(*to + absl::Seconds(1));
    }
    if (inv_.HasFlag("type")) {
      for (absl::string_view name : absl::StrSplit(inv_.Flag("type"), ',', absl::SkipEmpty())) {
        auto type = ParseEventType(name);
        if (!type.ok()) return UsageError(std::string(type.status().message()));
        request.add_types(*type);
      }
    }
    if (inv_.HasFlag("known_as_of")) {
      auto known = ParseDateArgument(inv_.Flag("known_as_of"), PeriodEdge::kEnd, "--known_as_of");
      if (!known.ok()) return UsageError(std::string(known.status().message()));
      *request.mutable_known_as_of() = ToTimestamp(*known);
    }
    int64_t limit = -1;
    if (inv_.HasFlag("limit") && (!absl::SimpleAtoi(inv_.Flag("limit"), &limit) || limit < 0)) {
      return UsageError("--limit: '" + inv_.Flag("limit") + "' is not a count");
    }
    rv1::ListEventsResponse all;
    grpc::Status status = ReadAllPages(
        request, [this](auto* c, const auto& r, auto* o) { return stub_->ListEvents(c, r, o); },
        [](auto& r) { return r.mutable_events(); }, &all, limit);
    if (!status.ok()) return Fail("ListEvents", status);
    inv_.json ? PrintJson(all) : Print(RenderEvents(all.events(), style_));
    return kExitOk;
  }

  int Agreements() {
    rv1::ListAgreementsRequest request;
    request.set_country(inv_.Flag("country"));
    request.set_min_sequence(inv_.min_sequence);
    if (inv_.HasFlag("status")) {
      auto status = ParseAgreementStatus(inv_.Flag("status"));
      if (!status.ok()) return UsageError(std::string(status.status().message()));
      request.set_status(*status);
    }
    rv1::ListAgreementsResponse all;
    grpc::Status status = ReadAllPages(
        request, [this](auto* c, const auto& r, auto* o) { return stub_->ListAgreements(c, r, o); },
        [](auto& r) { return r.mutable_agreements(); }, &all);
    if (!status.ok()) return Fail("ListAgreements", status);
    inv_.json ? PrintJson(all) : Print(RenderAgreements(all.agreements(), style_));
    return kExitOk;
  }

  int Agreement() {
    rv1::GetAgreementRequest request;
    request.set_agreement_id(inv_.args[0]);
    request.set_min_sequence(inv_.min_sequence);
    grpc::ClientContext context;
    Prepare(&context);
    rv1::Agreement agreement;
    grpc::Status status = stub_->GetAgreement(&context, request, &agreement);
    if (!status.ok()) return Fail("GetAgreement", status);
    inv_.json ? PrintJson(agreement) : Print(RenderAgreement(agreement, style_));
    return kExitOk;
  }

  int Figures() {
    rv1::ListFiguresRequest request;
    request.set_country(inv_.Flag("country"));
    request.set_quantity(inv_.Flag("quantity"));
    request.set_min_sequence(inv_.min_sequence);
    rv1::ListFiguresResponse all;
    grpc::Status status = ReadAllPages(
        request, [this](auto* c, const auto& r, auto* o) { return stub_->ListFigures(c, r, o); },
        [](auto& r) { return r.mutable_figures(); }, &all);
    if (!status.ok()) return Fail("ListFigures", status);
    inv_.json ? PrintJson(all) : Print(RenderFigures(all.figures(), style_));
    return kExitOk;
  }

  int Disputes() {
    rv1::ListDisputedFiguresRequest request;
    request.set_country(inv_.Flag("country"));
    request.set_min_sequence(inv_.min_sequence);
    rv1::ListDisputedFiguresResponse all;
    grpc::Status status = ReadAllPages(
        request,
        [this](auto* c, const auto& r, auto* o) { return stub_->ListDisputedFigures(c, r, o); },
        [](auto& r) { return r.mutable_disputed_figures(); }, &all);
    if (!status.ok()) return Fail("ListDisputedFigures", status);
    inv_.json ? PrintJson(all) : Print(RenderDisputes(all.disputed_figures(), style_));
    return kExitOk;
  }

  int Article() {
    rv1::GetArticleRequest request;
    request.set_article_id(inv_.args[0]);
    request.set_min_sequence(inv_.min_sequence);
    grpc::ClientContext context;
    Prepare(&context);
    rv1::ArticleSummary article;
    grpc::Status status = stub_->GetArticle(&context, request, &article);
    if (!status.ok()) return Fail("GetArticle", status);
    inv_.json ? PrintJson(article) : Print(RenderArticle(article, style_));
    return kExitOk;
  }

 private:
  const Invocation& inv_;
  std::unique_ptr<rv1::QueryService::Stub> stub_;
  OutputStyle style_;
  bool pretty_;
};

int RunIngest(const Invocation& inv) {
  std::string stdin_text;
  int stdin_uses = 0;
  for (const auto& arg : inv.args) stdin_uses += arg == "-";
  if (stdin_uses > 1) return UsageError("ingest: '-' (standard input) may be given once");
  if (stdin_uses == 1) {
    stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  auto items = PlanInputs(inv.args, stdin_text);
  if (!items.ok()) return UsageError(absl::StrCat("ingest: ", items.status().message()));

  auto stub = rv1::IngestService::NewStub(MakeChannel(inv.ingest_target));
  grpc::ClientContext context;
  if (inv.timeout_ms > 0) {
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(inv.timeout_ms));
  }
  const absl::Time start = absl::Now();
  auto stream = stub->StreamArticles(&context);
  IngestTally tally;
  tally.total = static_cast<int64_t>(items->size());
  std::mutex mu;
  ProgressBar bar(tally.total, isatty(STDERR_FILENO) && !inv.HasFlag("quiet"),
                  TerminalWidth(STDERR_FILENO));

  std::thread writer([&]() {
    for (const InputItem& item : *items) {
      auto article = MaterializeArticle(item);
      if (!article.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        tally.AddLocalRejection(item.client_ref, std::string(article.status().message()));
        bar.Update(tally.done());
        continue;
      }
      rv1::StreamArticlesRequest request;
      request.set_client_ref(item.client_ref);
      *request.mutable_article() = *std::move(article);
      if (!stream->Write(request)) break;  // the stream failed; Finish says why
    }
    stream->WritesDone();
  });
  rv1::StreamArticlesResponse response;
  while (stream->Read(&response)) {
    std::lock_guard<std::mutex> lock(mu);
    tally.Add(response);
    bar.Update(tally.done());
  }
  writer.join();
  grpc::Status status = stream->Finish();
  bar.Finish();
  tally.seconds = absl::ToDoubleSeconds(absl::Now() - start);

  const OutputStyle style{UseColor(inv), TerminalWidth(STDOUT_FILENO)};
  if (!status.ok() && tally.done() == 0) {
    return RpcError("StreamArticles", inv.ingest_target, status);
  }
  if (inv.json) {
    std::cout << IngestSummaryJson(tally, isatty(STDOUT_FILENO)) << "\n";
  } else {
    std::cout << RenderIngestSummary(tally, style);
  }
  std::cout << std::flush;
  if (!status.ok()) return RpcError("StreamArticles", inv.ingest_target, status);
  if (tally.done() < tally.total) {
    std::cerr << "relctl: the stream ended after " << tally.done() << " of " << tally.total
              << " articles\n";
    return kExitRpcFailure;
  }
  return tally.rejected > 0 ? kExitRejected : kExitOk;
}

// One line of a re-analysis job's progress.
std::string ReanalysisLine(const rv1::Reanalysis& job) {
  std::string state = rv1::ReanalysisState_Name(job.state());
  if (state.rfind("REANALYSIS_STATE_", 0) == 0) state = state.substr(17);
  std::string line = absl::StrCat("reanalysis ", job.reanalysis_id(), ": ", state, ", ",
                                  job.articles_done(), "/", job.articles_total(),
                                  " articles scanned, ", job.articles_reanalyzed(),
                                  " re-analysed (log ", job.scanned_sequence(), "/",
                                  job.end_sequence(), ", extractor ", job.extractor_version(), ")");
  if (!job.error().empty()) absl::StrAppend(&line, ": ", job.error());
  return line;
}

std::chrono::system_clock::time_point Deadline(const Invocation& inv, int64_t default_ms) {
  return std::chrono::system_clock::now() +
         std::chrono::milliseconds(inv.timeout_ms > 0 ? inv.timeout_ms : default_ms);
}

int RunReanalyze(const Invocation& inv) {
  auto stub = rv1::AdminService::NewStub(MakeChannel(inv.ingest_target));
  const bool pretty = isatty(STDOUT_FILENO);
  rv1::Reanalysis job;
  if (inv.HasFlag("status")) {
    grpc::ClientContext context;
    context.set_deadline(Deadline(inv, kDefaultQueryTimeoutMs));
    grpc::Status status = stub->GetReanalysis(&context, rv1::GetReanalysisRequest(), &job);
    if (!status.ok()) return RpcError("GetReanalysis", inv.ingest_target, status);
  } else {
    rv1::StartReanalysisRequest request;
    if (inv.HasFlag("since")) {
      auto since = ParseDateArgument(inv.Flag("since"), PeriodEdge::kStart, "--since");
      if (!since.ok()) return UsageError(std::string(since.status().message()));
      *request.mutable_published_since() = ToTimestamp(*since);
    }
    if (inv.HasFlag("until")) {
      // published_until is exclusive: the first instant after the period.
      auto until = ParseDateArgument(inv.Flag("until"), PeriodEdge::kEnd, "--until");
      if (!until.ok()) return UsageError(std::string(until.status().message()));
      *request.mutable_published_until() = ToTimestamp(*until + absl::Seconds(1));
    }
    request.set_source(inv.Flag("source"));
    grpc::ClientContext context;
    context.set_deadline(Deadline(inv, kDefaultQueryTimeoutMs));
    rv1::StartReanalysisResponse response;
    grpc::Status status = stub->StartReanalysis(&context, request, &response);
    if (!status.ok()) return RpcError("StartReanalysis", inv.ingest_target, status);
    job = response.reanalysis();
  }
  if (inv.HasFlag("wait")) {
    const bool live = isatty(STDERR_FILENO) && !inv.json;
    while (job.state() == rv1::REANALYSIS_STATE_RUNNING) {
      if (live) std::cerr << "\r" << ReanalysisLine(job) << std::flush;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      grpc::ClientContext context;
      context.set_deadline(Deadline(inv, kDefaultQueryTimeoutMs));
      grpc::Status status = stub->GetReanalysis(&context, rv1::GetReanalysisRequest(), &job);
      if (!status.ok()) return RpcError("GetReanalysis", inv.ingest_target, status);
    }
    if (live) std::cerr << "\n";
  }
  if (inv.json) {
    std::cout << ToJson(job, pretty) << "\n";
  } else {
    std::cout << ReanalysisLine(job) << "\n";
  }
  std::cout << std::flush;
  return job.state() == rv1::REANALYSIS_STATE_FAILED ? kExitRpcFailure : kExitOk;
}

int RunBackup(const Invocation& inv) {
  auto stub = rv1::AdminService::NewStub(MakeChannel(inv.ingest_target));
  rv1::CreateCheckpointRequest request;
  request.set_directory(inv.args[0]);
  grpc::ClientContext context;
  context.set_deadline(Deadline(inv, 600000));
  rv1::CreateCheckpointResponse response;
  grpc::Status status = stub->CreateCheckpoint(&context, request, &response);
  if (!status.ok()) return RpcError("CreateCheckpoint", inv.ingest_target, status);
  if (inv.json) {
    std::cout << ToJson(response, isatty(STDOUT_FILENO)) << "\n";
  } else {
    std::cout << "checkpoint " << response.path() << " (log sequence " << response.last_sequence()
              << ")\nrestore: ingest-service --data_dir=" << response.path() << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

}  // namespace

int RunCommand(const Invocation& inv) {
  relmon::ClientTlsOptions& security = ChannelSecurity();
  security.tls = inv.tls;
  security.ca_file = inv.tls_ca_file;
  security.cert_file = inv.tls_cert_file;
  security.key_file = inv.tls_key_file;
  security.server_name_override = inv.tls_server_name;
  security.token_file = inv.token_file;
  {
    grpc::ChannelArguments unused;
    auto credentials = relmon::MakeChannelCredentials(security, &unused);
    if (!credentials.ok()) return UsageError(std::string(credentials.status().message()));
  }
  if (inv.command == "ingest") return RunIngest(inv);
  if (inv.command == "reanalyze") return RunReanalyze(inv);
  if (inv.command == "backup") return RunBackup(inv);
  QueryCommand query(inv);
  if (inv.command == "state") return query.State();
  if (inv.command == "timeline") return query.Timeline();
  if (inv.command == "events") return query.Events();
  if (inv.command == "agreements") return query.Agreements();
  if (inv.command == "agreement") return query.Agreement();
  if (inv.command == "figures") return query.Figures();
  if (inv.command == "disputes") return query.Disputes();
  if (inv.command == "article") return query.Article();
  return UsageError("unknown command '" + inv.command + "'");
}

}  // namespace relctl
