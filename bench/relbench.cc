// relbench: end-to-end benchmark of the relations monitor (issue 6).
//
// Measures ingest throughput and acknowledgement latency (with and without
// extraction), query QPS and latency for a realistic mix, the follow lag from
// ingest ack to visibility in the query service, and resident memory, and
// prints every figure next to a baseline measured in the same run on the same
// bytes: a trivial in-process gRPC echo service, raw synced RocksDB
// WriteBatches and the extractor's own throughput. Baselines run in the same
// process on the same machine, so the ratios say what the services add.
//
// Services are either given (--ingest_target, --query_target, ...) or
// spawned from relbench's own directory (--spawn) on 127.0.0.1:0 with
// temporary data directories, and stopped with SIGTERM at the end.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/article_generator.h"
#include "echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "ingest-service/extraction/extractor.h"
#include "relations/v1/admin_service.grpc.pb.h"
#include "relations/v1/ingest_service.grpc.pb.h"
#include "relations/v1/query_service.grpc.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

ABSL_FLAG(bool, spawn, false, "Start ingest-service (twice: normal and --skip_extraction) and query-service from relbench's directory");
ABSL_FLAG(std::string, ingest_target, "", "Running ingest service (with extraction), HOST:PORT");
ABSL_FLAG(std::string, ingest_raw_target, "", "Running ingest service started with --skip_extraction (optional)");
ABSL_FLAG(std::string, query_target, "", "Running query service following --ingest_target, HOST:PORT");
ABSL_FLAG(int64_t, ingest_pid, 0, "PID of the running ingest service (for VmRSS)");
ABSL_FLAG(int64_t, query_pid, 0, "PID of the running query service (for VmRSS)");
ABSL_FLAG(bool, json, false, "Print one JSON object per metric on stdout (the table goes to stderr)");
ABSL_FLAG(bool, quick, false, "Everything small (well under 2 minutes)");
ABSL_FLAG(int64_t, articles, 0, "Articles per ingest measurement (0: 2000, or 300 with --quick)");
ABSL_FLAG(double, duration_s, 0, "Seconds per query level and for the follow-lag run (0: 5, or 1 with --quick)");
ABSL_FLAG(std::string, fill, "", "Comma-separated store sizes (articles) at which to run the query benchmark, e.g. 10000,200000 (default 2000, or 500 with --quick)");
ABSL_FLAG(std::string, follow_rate, "1000", "Articles per second for the follow-lag run (comma-separated: one run per rate)");
ABSL_FLAG(int32_t, query_replicas, 1, "With --spawn: 2 also starts a second query-service following the same ingest service");
ABSL_FLAG(uint64_t, seed, 7, "Generator seed (the same seed gives the same articles)");
ABSL_FLAG(int32_t, in_flight, 64, "Articles in flight per StreamArticles stream");
ABSL_FLAG(bool, check_complete, false, "Exit 1 unless every metric was measured");
ABSL_FLAG(bool, keep_data, false, "With --spawn: keep the temporary data directories");
ABSL_FLAG(int64_t, reanalysis_articles, -1,
          "With --spawn: articles stored (with --skip_extraction) and then re-analysed in the "
          "re-analysis phase (issue 11); 0 skips the phase (-1: 1000, or 200 with --quick)");
ABSL_FLAG(bool, reanalysis_only, false, "With --spawn: run only the re-analysis phase");
ABSL_FLAG(double, reanalysis_live_rate, 100,
          "Articles/s of the paced live ingest stream measured with and without a running re-analysis");
ABSL_FLAG(int32_t, reanalysis_threads, 0, "--reanalysis_threads of the spawned ingest service (0: its default)");

namespace relmon::bench {
namespace {

using Clock = std::chrono::steady_clock;
using relations::v1::Article;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
double MsBetween(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

void Progress(const std::string& s) {
  std::fprintf(stderr, "[relbench] %s\n", s.c_str());
  std::fflush(stderr);
}

// ---------------------------------------------------------------- results

struct Metric {
  Metric(std::string name, double value, std::string unit, std::optional<double> baseline = std::nullopt,
         std::string baseline_name = "", std::optional<double> target = std::nullopt,
         bool higher_is_better = true)
      : name(std::move(name)), value(value), unit(std::move(unit)), baseline(baseline),
        baseline_name(std::move(baseline_name)), target(target), higher_is_better(higher_is_better) {}
  std::string name;
  double value = 0;
  std::string unit;
  std::optional<double> baseline;
  std::string baseline_name;
  std::optional<double> target;  // issue 6 target, when there is one
  bool higher_is_better = true;
};

class Report {
 public:
  explicit Report(bool json) : json_(json) {}
  void Add(Metric m) {
    if (json_) {
      std::string line = absl::StrFormat(R"({"metric":"%s","value":%s,"unit":"%s","baseline":%s,"ratio":%s)",
                                         m.name, Num(m.value), m.unit,
                                         m.baseline ? Num(*m.baseline) : "null",
                                         Ratio(m) ? Num(*Ratio(m)) : "null");
      if (!m.baseline_name.empty()) absl::StrAppend(&line, R"(,"baseline_of":")", m.baseline_name, "\"");
      if (m.target) {
        absl::StrAppend(&line, R"(,"target":)", Num(*m.target), R"(,"target_met":)",
                        Met(m) ? "true" : "false");
      }
      line += "}\n";
      std::fputs(line.c_str(), stdout);
      std::fflush(stdout);
    }
    names_.insert(m.name);
    metrics_.push_back(std::move(m));
  }
  const std::set<std::string>& names() const { return names_; }
  std::optional<double> Get(const std::string& name) const {
    for (const Metric& m : metrics_) if (m.name == name) return m.value;
    return std::nullopt;
  }

  void PrintTable(FILE* out) const {
    std::fprintf(out, "\n%-48s %14s %-10s %14s %8s  %s\n", "metric", "value", "unit", "baseline",
                 "ratio", "target");
    std::fprintf(out, "%s\n", std::string(118, '-').c_str());
    for (const Metric& m : metrics_) {
      std::string target = "";
      if (m.target) {
        target = absl::StrCat(m.higher_is_better ? ">= " : "< ", Num(*m.target), Met(m) ? "  met" : "  MISSED");
      }
      std::fprintf(out, "%-48s %14s %-10s %14s %8s  %s%s\n", m.name.c_str(), Num(m.value).c_str(),
                   m.unit.c_str(), m.baseline ? Num(*m.baseline).c_str() : "-",
                   Ratio(m) ? absl::StrFormat("%.3f", *Ratio(m)).c_str() : "-", target.c_str(),
                   m.baseline_name.empty() ? "" : absl::StrCat("  (vs ", m.baseline_name, ")").c_str());
    }
    std::fflush(out);
  }

 private:
  static std::string Num(double v) {
    if (!std::isfinite(v)) return "null";
    if (std::fabs(v) >= 100) return absl::StrFormat("%.0f", v);
    if (std::fabs(v) >= 1) return absl::StrFormat("%.2f", v);
    return absl::StrFormat("%.4f", v);
  }
  static std::optional<double> Ratio(const Metric& m) {
    if (!m.baseline || *m.baseline == 0) return std::nullopt;
    return m.value / *m.baseline;
  }
  static bool Met(const Metric& m) {
    // A ratio target (< 10) is checked against the ratio, otherwise the value.
    if (!m.target) return true;
    double v = m.value;
    if (m.unit == "ratio") v = m.value;
    return m.higher_is_better ? v >= *m.target : v < *m.target;
  }
  bool json_;
  std::vector<Metric> metrics_;
  std::set<std::string> names_;
};

struct Latencies {
  // Mutable: percentiles sort in place on first use.
  mutable std::vector<double> ms;
  void Merge(const Latencies& o) { ms.insert(ms.end(), o.ms.begin(), o.ms.end()); }
  double Pct(double p) const {
    if (ms.empty()) return NAN;
    if (!sorted_) { std::sort(ms.begin(), ms.end()); sorted_ = true; }
    size_t i = static_cast<size_t>(std::ceil(p / 100.0 * ms.size()));
    return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
  }
  mutable bool sorted_ = false;
};

// ---------------------------------------------------------------- processes

struct Spawned {
  pid_t pid = 0;
  std::string target;
  std::string name;
};

std::string SelfDir() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "." : p.parent_path().string();
}

absl::StatusOr<Spawned> Spawn(const std::string& binary, std::vector<std::string> args,
                              const std::string& log_path) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::string path = absl::StrCat(SelfDir(), "/", binary);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], 1);
    int err = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) dup2(err, 2);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(path.c_str(), argv.data());
    std::fprintf(stderr, "exec %s failed\n", path.c_str());
    _exit(127);
  }
  close(out[1]);
  // Read "listening on HOST:PORT" (within 60 s), then keep draining stdout.
  FILE* f = fdopen(out[0], "r");
  char line[512];
  std::string target;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline && std::fgets(line, sizeof line, f) != nullptr) {
    std::string s(line);
    auto at = s.find("listening on ");
    if (at != std::string::npos) {
      target = s.substr(at + 13);
      while (!target.empty() && std::isspace(static_cast<unsigned char>(target.back()))) target.pop_back();
      break;
    }
  }
  if (target.empty()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return absl::UnavailableError(absl::StrCat(binary, " did not print 'listening on' (see ", log_path, ")"));
  }
  std::thread([f] {
    char buf[512];
    while (std::fgets(buf, sizeof buf, f) != nullptr) {}
    std::fclose(f);
  }).detach();
  return Spawned{pid, target, binary};
}

int Stop(const Spawned& s) {
  if (s.pid <= 0) return 0;
  kill(s.pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (waitpid(s.pid, &status, WNOHANG) == s.pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(s.pid, SIGKILL);
  waitpid(s.pid, &status, 0);
  return 137;
}

// VmRSS (or another /proc/PID/status field) in MiB; NAN when unknown.
double ProcStatusMiB(int64_t pid, const std::string& field) {
  if (pid <= 0) return NAN;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      int64_t kb = 0;
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
      if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kb)) return kb / 1024.0;
    }
  }
  return NAN;
}

// ---------------------------------------------------------------- channels

std::shared_ptr<grpc::Channel> NewChannel(const std::string& target, int index) {
  grpc::ChannelArguments args;
  // A distinct argument gives each channel its own TCP connection.
  args.SetInt("relbench.channel_index", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return channel;
}

// ---------------------------------------------------------------- ingest

struct StreamResult {
  double per_s = 0;
  Latencies latency;
  int64_t accepted = 0, duplicate = 0, rejected = 0, errors = 0;
  uint64_t last_sequence = 0;
  std::string last_article_id;
};

// Sends `articles` over `streams` concurrent bidi streams (articles dealt
// round robin), each with up to `in_flight` unacknowledged. Works for
// IngestService.StreamArticles and EchoService.Stream (same messages).
// `rate` > 0 paces sending at that many articles/s overall; `on_ack` sees
// every acknowledgement with its time.
template <typename MakeStream>
StreamResult RunStreams(const std::vector<Article>& articles, int streams, int in_flight,
                        MakeStream make_stream, double rate = 0,
                        std::function<void(const relations::v1::StreamArticlesResponse&, Clock::time_point)>
                            on_ack = nullptr) {
  StreamResult result;
  std::mutex result_mu;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s) {
    threads.emplace_back([&, s] {
      auto [context, stream] = make_stream(s);
      std::mutex mu;
      std::condition_variable cv;
      std::deque<Clock::time_point> sent;
      int outstanding = 0;
      Latencies local;
      int64_t accepted = 0, duplicate = 0, rejected = 0;
      uint64_t last_sequence = 0;
      std::string last_id;
      std::thread reader([&] {
        relations::v1::StreamArticlesResponse response;
        while (stream->Read(&response)) {
          Clock::time_point now = Clock::now(), t0;
          {
            std::lock_guard<std::mutex> lock(mu);
            t0 = sent.front();
            sent.pop_front();
            --outstanding;
          }
          cv.notify_one();
          local.ms.push_back(MsBetween(t0, now));
          switch (response.outcome()) {
            case relations::v1::INGEST_OUTCOME_ACCEPTED: ++accepted; break;
            case relations::v1::INGEST_OUTCOME_DUPLICATE: ++duplicate; break;
            default: ++rejected; break;
          }
          if (response.sequence() > last_sequence) {
            last_sequence = response.sequence();
            last_id = response.article_id();
          }
          if (on_ack) on_ack(response, now);
        }
      });
      relations::v1::StreamArticlesRequest request;
      int64_t k = 0;
      for (size_t i = s; i < articles.size(); i += streams, ++k) {
        if (rate > 0) {
          auto due = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(i) / rate));
          std::this_thread::sleep_until(due);
        }
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return outstanding < in_flight; });
          ++outstanding;
          sent.push_back(Clock::now());
        }
        *request.mutable_article() = articles[i];
        request.set_client_ref(absl::StrCat(i));
        if (!stream->Write(request)) break;
      }
      stream->WritesDone();
      reader.join();
      grpc::Status status = stream->Finish();
      std::lock_guard<std::mutex> lock(result_mu);
      result.latency.Merge(local);
      result.accepted += accepted;
      result.duplicate += duplicate;
      result.rejected += rejected;
      if (!status.ok()) {
        ++result.errors;
        Progress(absl::StrCat("stream ", s, ": ", status.error_message()));
      }
      if (last_sequence > result.last_sequence) {
        result.last_sequence = last_sequence;
        result.last_article_id = last_id;
      }
      (void)context;
    });
  }
  for (auto& t : threads) t.join();
  double seconds = SecondsSince(start);
  result.per_s = static_cast<double>(result.latency.ms.size()) / seconds;
  return result;
}

StreamResult IngestStreams(const std::string& target, const std::vector<Article>& articles,
                           int streams, int in_flight, double rate = 0,
                           std::function<void(const relations::v1::StreamArticlesResponse&, Clock::time_point)>
                               on_ack = nullptr) {
  std::vector<std::unique_ptr<relations::v1::IngestService::Stub>> stubs;
  for (int s = 0; s < streams; ++s) {
    stubs.push_back(relations::v1::IngestService::NewStub(NewChannel(target, 1000 + s)));
  }
  return RunStreams(
      articles, streams, in_flight,
      [&](int s) {
        auto context = std::make_shared<grpc::ClientContext>();
        auto stream = std::shared_ptr<grpc::ClientReaderWriter<relations::v1::StreamArticlesRequest,
                                                               relations::v1::StreamArticlesResponse>>(
            stubs[s]->StreamArticles(context.get()));
        return std::make_pair(context, stream);
      },
      rate, on_ack);
}

// ---------------------------------------------------------------- echo baseline

class EchoServiceImpl final : public relmon::bench::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context,
                                  const relmon::bench::EchoRequest* request,
                                  relmon::bench::EchoResponse* response) override {
    response->mutable_payload()->assign(static_cast<size_t>(std::max(0, request->response_bytes())), 'x');
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  class StreamReactor final
      : public grpc::ServerBidiReactor<relations::v1::StreamArticlesRequest,
                                       relations::v1::StreamArticlesResponse> {
   public:
    StreamReactor() { StartRead(&request_); }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      response_.set_client_ref(request_.client_ref());
      response_.set_article_id("0123456789abcdef0123");
      response_.set_sequence(++sequence_ * 2);
      response_.set_outcome(relations::v1::INGEST_OUTCOME_ACCEPTED);
      StartWrite(&response_);
    }
    void OnWriteDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      StartRead(&request_);
    }
    void OnDone() override { delete this; }

   private:
    relations::v1::StreamArticlesRequest request_;
    relations::v1::StreamArticlesResponse response_;
    uint64_t sequence_ = 0;
  };

  grpc::ServerBidiReactor<relations::v1::StreamArticlesRequest, relations::v1::StreamArticlesResponse>*
  Stream(grpc::CallbackServerContext*) override {
    return new StreamReactor();
  }
};

struct EchoServer {
  EchoServiceImpl service;
  std::unique_ptr<grpc::Server> server;
  std::string target;
  bool Start() {
    int port = 0;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    builder.SetMaxReceiveMessageSize(64 << 20);
    server = builder.BuildAndStart();
    target = absl::StrCat("127.0.0.1:", port);
    return server != nullptr && port != 0;
  }
};

StreamResult EchoStreams(const std::string& target, const std::vector<Article>& articles,
                         int streams, int in_flight) {
  std::vector<std::unique_ptr<relmon::bench::EchoService::Stub>> stubs;
  for (int s = 0; s < streams; ++s) {
    stubs.push_back(relmon::bench::EchoService::NewStub(NewChannel(target, 2000 + s)));
  }
  return RunStreams(articles, streams, in_flight, [&](int s) {
    auto context = std::make_shared<grpc::ClientContext>();
    auto stream = std::shared_ptr<grpc::ClientReaderWriter<relations::v1::StreamArticlesRequest,
                                                           relations::v1::StreamArticlesResponse>>(
        stubs[s]->Stream(context.get()));
    return std::make_pair(context, stream);
  });
}

// ---------------------------------------------------------------- RocksDB baseline

struct RawResult {
  double per_s = 0;
  Latencies latency;
};

// Each article as the log stores it: the recorded event (the article's bytes),
// a small analyzed event and an id index entry, in one synced WriteBatch.
RawResult RawRocksDb(const std::string& dir, const std::vector<Article>& articles, int writers) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 32 << 20;
  rocksdb::DB* raw = nullptr;
  std::filesystem::remove_all(dir);
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  RawResult result;
  if (!s.ok()) {
    Progress(absl::StrCat("rocksdb: ", s.ToString()));
    return result;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::vector<std::string> bytes;
  for (const Article& a : articles) bytes.push_back(a.SerializeAsString());
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      Latencies local;
      rocksdb::WriteOptions wo;
      wo.sync = true;
      std::string analyzed(160, 'a');
      for (uint64_t i; (i = next.fetch_add(1)) < bytes.size();) {
        Clock::time_point t0 = Clock::now();
        rocksdb::WriteBatch batch;
        char key[16];
        uint64_t seq = 2 * i + 1;
        for (int b = 0; b < 8; ++b) key[b] = static_cast<char>(seq >> (56 - 8 * b));
        batch.Put(rocksdb::Slice(key, 8), bytes[i]);
        ++seq;
        for (int b = 0; b < 8; ++b) key[b] = static_cast<char>(seq >> (56 - 8 * b));
        batch.Put(rocksdb::Slice(key, 8), analyzed);
        batch.Put(absl::StrCat("id/", i, "-0123456789abcdef"), rocksdb::Slice(key, 8));
        db->Write(wo, &batch);
        local.ms.push_back(MsBetween(t0, Clock::now()));
      }
      std::lock_guard<std::mutex> lock(mu);
      result.latency.Merge(local);
    });
  }
  for (auto& t : threads) t.join();
  result.per_s = static_cast<double>(bytes.size()) / SecondsSince(start);
  db.reset();
  std::filesystem::remove_all(dir);
  return result;
}

// ---------------------------------------------------------------- extractor baseline

// `clean`: CleanText first, as the intake does; without it, Extract alone,
// as re-analysis does on stored articles.
double ExtractorThroughput(const extraction::Extractor& extractor, const std::vector<Article>& articles,
                           int threads, bool clean = true) {
  std::atomic<size_t> next{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < articles.size();) {
        Article a = articles[i];
        if (clean) a.set_text(extractor.CleanText(a.text()));
        if (a.id().empty()) a.set_id(absl::StrCat("x", i));
        auto r = extractor.Extract(a);
        if (r.analysis.ByteSizeLong() == 1) std::abort();  // keep the result alive
      }
    });
  }
  for (auto& t : pool) t.join();
  return static_cast<double>(articles.size()) / SecondsSince(start);
}

// ---------------------------------------------------------------- queries

struct QueryMix {
  std::vector<std::string> hot;   // most-covered countries
  std::vector<std::string> all;
};

constexpr const char* kQueryKinds[] = {"GetRelationsState", "ListRelationsTimeline", "ListEvents",
                                       "ListAgreements", "ListDisputedFigures"};
constexpr int kNumQueryKinds = 5;

struct QueryResult {
  double qps = 0;
  Latencies latency;
  int64_t errors = 0;
  std::string first_error;
  double mean_response_bytes = 0;
  double mean_request_bytes = 0;
  // By kind of call (kQueryKinds): latencies and total response bytes.
  Latencies by_kind[kNumQueryKinds];
  double response_bytes_by_kind[kNumQueryKinds] = {};
};

// One call of the mix: GetRelationsState 35 %, ListRelationsTimeline 15 %,
// ListEvents 20 %, ListAgreements 20 %, ListDisputedFigures 10 %, mostly
// about the hot dyads (as readers ask), sometimes about any country.
grpc::Status OneQuery(relations::v1::QueryService::Stub* stub, const QueryMix& mix, std::mt19937_64& rng,
                      size_t* request_bytes, size_t* response_bytes, int* kind) {
  auto country = [&] {
    if (rng() % 10 < 8) return mix.hot[rng() % mix.hot.size()];
    return mix.all[rng() % mix.all.size()];
  };
  std::string a = country(), b = country();
  while (b == a) b = mix.all[rng() % mix.all.size()];
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  int which = static_cast<int>(rng() % 100);
  const int64_t kDay = 86400, k2015 = 1420070400;
  *kind = which < 35 ? 0 : which < 50 ? 1 : which < 70 ? 2 : which < 90 ? 3 : 4;
  if (which < 35) {
    relations::v1::GetRelationsStateRequest req;
    req.set_country_a(a);
    req.set_country_b(b);
    relations::v1::RelationsState resp;
    auto s = stub->GetRelationsState(&context, req, &resp);
    *request_bytes = req.ByteSizeLong();
    *response_bytes = resp.ByteSizeLong();
    return s;
  } else if (which < 50) {
    relations::v1::ListRelationsTimelineRequest req;
    req.set_country_a(a);
    req.set_country_b(b);
    int64_t from = k2015 + static_cast<int64_t>(rng() % 9) * 365 * kDay;
    req.mutable_start_time()->set_seconds(from);
    req.mutable_end_time()->set_seconds(from + 365 * kDay);
    req.set_granularity(relations::v1::GRANULARITY_MONTH);
    relations::v1::ListRelationsTimelineResponse resp;
    auto s = stub->ListRelationsTimeline(&context, req, &resp);
    *request_bytes = req.ByteSizeLong();
    *response_bytes = resp.ByteSizeLong();
    return s;
  } else if (which < 70) {
    relations::v1::ListEventsRequest req;
    req.set_country_a(a);
    req.set_country_b(b);
    req.set_page_size(20);
    relations::v1::ListEventsResponse resp;
    auto s = stub->ListEvents(&context, req, &resp);
    *request_bytes = req.ByteSizeLong();
    *response_bytes = resp.ByteSizeLong();
    return s;
  } else if (which < 90) {
    relations::v1::ListAgreementsRequest req;
    req.set_country(a);
    req.set_page_size(20);
    relations::v1::ListAgreementsResponse resp;
    auto s = stub->ListAgreements(&context, req, &resp);
    *request_bytes = req.ByteSizeLong();
    *response_bytes = resp.ByteSizeLong();
    return s;
  } else {
    relations::v1::ListDisputedFiguresRequest req;
    req.set_country(a);
    req.set_page_size(20);
    relations::v1::ListDisputedFiguresResponse resp;
    auto s = stub->ListDisputedFigures(&context, req, &resp);
    *request_bytes = req.ByteSizeLong();
    *response_bytes = resp.ByteSizeLong();
    return s;
  }
}

// `callers` threads for `seconds`, spread over up to callers/8 channels per
// target (at least one), round robin over `targets`.
template <typename Call>
QueryResult RunCallers(int callers, double seconds, int channels_per_target, int channel_base,
                       const std::vector<std::string>& targets, Call call) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const std::string& t : targets) {
    for (int c = 0; c < channels_per_target; ++c) {
      channels.push_back(NewChannel(t, channel_base + static_cast<int>(channels.size())));
    }
  }
  QueryResult result;
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  double total_req = 0, total_resp = 0;
  int64_t calls = 0;
  const Clock::time_point start = Clock::now();
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937_64 rng(1000 + c);
      Latencies local;
      int64_t errors = 0;
      std::string first_error;
      double req_bytes = 0, resp_bytes = 0;
      Latencies by_kind[kNumQueryKinds];
      double bytes_by_kind[kNumQueryKinds] = {};
      auto& channel = channels[c % channels.size()];
      while (!stop.load(std::memory_order_relaxed)) {
        size_t rq = 0, rs = 0;
        int kind = 0;
        Clock::time_point t0 = Clock::now();
        grpc::Status s = call(channel, rng, &rq, &rs, &kind);
        double ms = MsBetween(t0, Clock::now());
        local.ms.push_back(ms);
        by_kind[kind].ms.push_back(ms);
        bytes_by_kind[kind] += rs;
        req_bytes += rq;
        resp_bytes += rs;
        if (!s.ok() && s.error_code() != grpc::StatusCode::NOT_FOUND) {
          if (errors++ == 0) first_error = s.error_message();
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      calls += static_cast<int64_t>(local.ms.size());
      result.latency.Merge(local);
      for (int k = 0; k < kNumQueryKinds; ++k) {
        result.by_kind[k].Merge(by_kind[k]);
        result.response_bytes_by_kind[k] += bytes_by_kind[k];
      }
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
      total_req += req_bytes;
      total_resp += resp_bytes;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  result.qps = static_cast<double>(calls) / SecondsSince(start);
  if (calls > 0) {
    result.mean_request_bytes = total_req / calls;
    result.mean_response_bytes = total_resp / calls;
  }
  return result;
}

QueryResult QueryLoad(const std::vector<std::string>& targets, const QueryMix& mix, int callers,
                      double seconds) {
  int per_target = std::max(1, callers / 8 / static_cast<int>(targets.size()));
  std::map<grpc::Channel*, std::unique_ptr<relations::v1::QueryService::Stub>> stubs;
  std::mutex mu;
  return RunCallers(callers, seconds, per_target, 3000, targets,
                    [&](const std::shared_ptr<grpc::Channel>& channel, std::mt19937_64& rng, size_t* rq,
                        size_t* rs, int* kind) {
                      thread_local std::map<grpc::Channel*, std::unique_ptr<relations::v1::QueryService::Stub>> mine;
                      auto& stub = mine[channel.get()];
                      if (!stub) stub = relations::v1::QueryService::NewStub(channel);
                      return OneQuery(stub.get(), mix, rng, rq, rs, kind);
                    });
}

QueryResult EchoUnaryLoad(const std::string& target, int callers, double seconds, size_t request_bytes,
                          size_t response_bytes) {
  int per_target = std::max(1, callers / 8);
  return RunCallers(callers, seconds, per_target, 4000, {target},
                    [&](const std::shared_ptr<grpc::Channel>& channel, std::mt19937_64&, size_t* rq,
                        size_t* rs, int*) {
                      thread_local std::map<grpc::Channel*, std::unique_ptr<relmon::bench::EchoService::Stub>> mine;
                      auto& stub = mine[channel.get()];
                      if (!stub) stub = relmon::bench::EchoService::NewStub(channel);
                      relmon::bench::EchoRequest req;
                      req.set_payload(std::string(request_bytes, 'q'));
                      req.set_response_bytes(static_cast<int>(response_bytes));
                      relmon::bench::EchoResponse resp;
                      grpc::ClientContext context;
                      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
                      auto s = stub->Unary(&context, req, &resp);
                      *rq = req.ByteSizeLong();
                      *rs = resp.ByteSizeLong();
                      return s;
                    });
}

// Waits until the query service at `target` has applied `sequence`
// (GetArticle with min_sequence); the seconds it took, or NAN.
double WaitVisible(const std::string& target, const std::string& article_id, uint64_t sequence,
                   double timeout_s) {
  auto stub = relations::v1::QueryService::NewStub(NewChannel(target, 5000));
  const Clock::time_point start = Clock::now();
  while (SecondsSince(start) < timeout_s) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    relations::v1::GetArticleRequest req;
    req.set_article_id(article_id);
    req.set_min_sequence(sequence);
    relations::v1::ArticleSummary resp;
    grpc::Status s = stub->GetArticle(&context, req, &resp);
    if (s.ok()) return SecondsSince(start);
    if (s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
        s.error_code() != grpc::StatusCode::UNAVAILABLE) {
      Progress(absl::StrCat("GetArticle(", article_id, "): ", s.error_message()));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return NAN;
}

// Follow lag: ingests at `rate` articles/s on one stream; for every ack a
// checker asks each query target for the article with min_sequence = the
// ack's sequence and records ack -> answer.
std::vector<Latencies> FollowLag(const std::string& ingest_target, const std::vector<std::string>& query_targets,
                                 const std::vector<Article>& articles, double rate) {
  struct Item {
    std::string id;
    uint64_t sequence;
    Clock::time_point acked;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Item> queue;
  bool done = false;
  std::vector<Latencies> lags(query_targets.size());
  std::vector<std::thread> checkers;
  constexpr int kCheckersPerTarget = 4;
  std::mutex lag_mu;
  std::vector<std::deque<Item>> queues(query_targets.size() * kCheckersPerTarget);
  for (size_t q = 0; q < query_targets.size(); ++q) {
    for (int c = 0; c < kCheckersPerTarget; ++c) {
      checkers.emplace_back([&, q, c] {
        auto stub = relations::v1::QueryService::NewStub(NewChannel(query_targets[q], 6000 + q * 10 + c));
        auto& my = queues[q * kCheckersPerTarget + c];
        Latencies local;
        for (;;) {
          Item item;
          {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return done || !my.empty(); });
            if (my.empty()) break;
            item = my.front();
            my.pop_front();
          }
          // The service bounds a min_sequence wait (--max_wait_ms): ask
          // again until the article is visible or 10 minutes have passed.
          grpc::Status s;
          do {
            grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
            relations::v1::GetArticleRequest req;
            req.set_article_id(item.id);
            req.set_min_sequence(item.sequence);
            relations::v1::ArticleSummary resp;
            s = stub->GetArticle(&context, req, &resp);
          } while (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && SecondsSince(item.acked) < 600);
          if (s.ok()) local.ms.push_back(MsBetween(item.acked, Clock::now()));  // else not visible in 10 min
        }
        std::lock_guard<std::mutex> lock(lag_mu);
        lags[q].Merge(local);
      });
    }
  }
  std::atomic<uint64_t> n{0};
  IngestStreams(ingest_target, articles, 1, 64, rate,
                [&](const relations::v1::StreamArticlesResponse& r, Clock::time_point acked) {
                  uint64_t k = n.fetch_add(1);
                  {
                    std::lock_guard<std::mutex> lock(mu);
                    for (size_t q = 0; q < query_targets.size(); ++q) {
                      queues[q * kCheckersPerTarget + k % kCheckersPerTarget].push_back(
                          Item{r.article_id(), r.sequence(), acked});
                    }
                  }
                  cv.notify_all();
                });
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  for (auto& t : checkers) t.join();
  return lags;
}

// ---------------------------------------------------------------- re-analysis (issue 11)

// Polls GetReanalysis every 50 ms until `until` says stop (or 2 hours).
relations::v1::Reanalysis PollReanalysis(relations::v1::AdminService::Stub* admin,
                                         const std::function<bool(const relations::v1::Reanalysis&)>& until) {
  relations::v1::Reanalysis job;
  const Clock::time_point start = Clock::now();
  while (SecondsSince(start) < 7200) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = admin->GetReanalysis(&context, relations::v1::GetReanalysisRequest(), &job);
    if (s.ok() && until(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return job;
}

bool JobFinished(const relations::v1::Reanalysis& job) {
  return job.state() == relations::v1::REANALYSIS_STATE_DONE ||
         job.state() == relations::v1::REANALYSIS_STATE_FAILED;
}

// The re-analysis phase: stores `n` generated articles through an ingest
// service started with --skip_extraction (the fastest fill; their analyses
// say extractor "none"), restarts a normal ingest service on that store and
// re-analyses all of them. Figures: the job's articles/s (run alone) against
// the extractor alone on the same machine in the same minute; live ingest
// (a paced stream, then 8 streams at full speed) with and without the job
// running. Returns false when the phase could not run.
bool RunReanalysisPhase(int64_t n, const std::string& tmp, const std::function<std::vector<Article>(int64_t)>& take,
                        const std::vector<Article>& sample, const extraction::Extractor& extractor, int cores,
                        int in_flight, double live_seconds, int64_t burst_articles, std::vector<Spawned>* spawned,
                        Report* report) {
  const std::string dir = tmp + "/reanalysis";
  const std::vector<std::string> common = {"--listen=127.0.0.1:0", "--data_dir=" + dir, "--log_level=warning"};

  // Fill.
  {
    std::vector<std::string> args = common;
    args.push_back("--skip_extraction");
    auto filler = Spawn("ingest-service", args, tmp + "/reanalysis-fill.log");
    if (!filler.ok()) {
      Progress(std::string(filler.status().message()));
      return false;
    }
    Progress(absl::StrFormat("re-analysis: filling a store with %d articles (--skip_extraction)", n));
    const Clock::time_point start = Clock::now();
    int64_t stored = 0;
    const int64_t chunk = 20000;
    while (stored < n) {
      std::vector<Article> articles = take(std::min(chunk, n - stored));
      StreamResult r = IngestStreams(filler->target, articles, 8, in_flight);
      stored += r.accepted + r.duplicate;
      if (r.accepted + r.duplicate == 0) break;
    }
    const double fill_s = SecondsSince(start);
    report->Add({"reanalysis.fill.articles_per_s", static_cast<double>(stored) / fill_s, "articles/s"});
    Progress(absl::StrFormat("re-analysis: %d stored in %.1f s", stored, fill_s));
    if (int rc = Stop(*filler); rc != 0) {
      Progress(absl::StrCat("the --skip_extraction ingest service exited with ", rc));
      return false;
    }
  }

  // The same store, now with the extractor loaded.
  std::vector<std::string> args = common;
  if (absl::GetFlag(FLAGS_reanalysis_threads) > 0) {
    args.push_back(absl::StrCat("--reanalysis_threads=", absl::GetFlag(FLAGS_reanalysis_threads)));
  }
  auto service = Spawn("ingest-service", args, tmp + "/reanalysis.log");
  if (!service.ok()) {
    Progress(std::string(service.status().message()));
    return false;
  }
  spawned->push_back(*service);
  const std::string target = service->target;
  auto admin = relations::v1::AdminService::NewStub(NewChannel(target, 7000));

  // Live ingest without a re-analysis: the paced stream, then a burst.
  const double rate = absl::GetFlag(FLAGS_reanalysis_live_rate);
  const int64_t paced_n = std::max<int64_t>(20, static_cast<int64_t>(rate * live_seconds));
  StreamResult paced_alone = IngestStreams(target, take(paced_n), 1, in_flight, rate);
  StreamResult burst_alone = IngestStreams(target, take(burst_articles), 8, in_flight);
  Progress(absl::StrFormat("re-analysis: live ingest alone: paced %.0f/s p99 %.1f ms; 8 streams %.0f/s",
                           paced_alone.per_s, paced_alone.latency.Pct(99), burst_alone.per_s));

  // The extractor alone, right before the job (same machine, same minute).
  double extractor_alone = ExtractorThroughput(extractor, sample, cores, /*clean=*/false);

  // The job, alone until about half of it is done.
  relations::v1::StartReanalysisResponse started;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status s = admin->StartReanalysis(&context, relations::v1::StartReanalysisRequest(), &started);
    if (!s.ok()) {
      Progress(absl::StrCat("StartReanalysis: ", s.error_message()));
      return false;
    }
  }
  const Clock::time_point job_start = Clock::now();
  relations::v1::Reanalysis half = PollReanalysis(admin.get(), [n](const relations::v1::Reanalysis& j) {
    return JobFinished(j) || j.articles_reanalyzed() * 2 >= static_cast<uint64_t>(n);
  });
  const double alone_s = SecondsSince(job_start);
  const double alone_rate = static_cast<double>(half.articles_reanalyzed()) / alone_s;

  // Live ingest while the job runs (as long as it still does).
  std::atomic<bool> ingesting{true};
  std::atomic<int64_t> running_polls{0}, polls{0};
  std::thread watcher([&] {
    while (ingesting.load()) {
      relations::v1::Reanalysis j = PollReanalysis(admin.get(), [](const relations::v1::Reanalysis&) { return true; });
      polls.fetch_add(1);
      if (j.state() == relations::v1::REANALYSIS_STATE_RUNNING) running_polls.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const Clock::time_point live_start = Clock::now();
  StreamResult paced_during = IngestStreams(target, take(paced_n), 1, in_flight, rate);
  StreamResult burst_during = IngestStreams(target, take(burst_articles), 8, in_flight);
  const double live_s = SecondsSince(live_start);
  ingesting = false;
  watcher.join();
  relations::v1::Reanalysis after_live = PollReanalysis(admin.get(), [](const relations::v1::Reanalysis&) { return true; });
  const double during_rate =
      static_cast<double>(after_live.articles_reanalyzed() - half.articles_reanalyzed()) / live_s;

  relations::v1::Reanalysis done = PollReanalysis(admin.get(), JobFinished);
  const double total_s = SecondsSince(job_start);
  // The extractor alone again, right after the job: on a shared machine the
  // load moves within minutes, so the baseline is the mean of both.
  const double extractor_after = ExtractorThroughput(extractor, sample, cores, /*clean=*/false);
  if (done.state() != relations::v1::REANALYSIS_STATE_DONE) {
    Progress(absl::StrCat("re-analysis did not finish: ", relations::v1::ReanalysisState_Name(done.state()), " ",
                          done.error()));
    return false;
  }
  const double running_fraction =
      polls.load() == 0 ? 0 : static_cast<double>(running_polls.load()) / static_cast<double>(polls.load());

  const std::string ename = absl::StrCat("extractor alone, ", cores, " threads, mean of before and after");
  report->Add({"reanalysis.store.articles", static_cast<double>(n), "articles"});
  report->Add({"reanalysis.baseline.extractor.articles_per_s.before", extractor_alone, "articles/s"});
  report->Add({"reanalysis.baseline.extractor.articles_per_s.after", extractor_after, "articles/s"});
  const double extractor_before = extractor_alone;
  extractor_alone = (extractor_before + extractor_after) / 2;
  report->Add({"reanalysis.baseline.extractor.articles_per_s", extractor_alone, "articles/s"});
  report->Add({"reanalysis.articles_per_s", alone_rate, "articles/s", extractor_alone, ename});
  report->Add({"reanalysis.articles_per_s.overall", static_cast<double>(done.articles_reanalyzed()) / total_s,
               "articles/s", extractor_alone, ename});
  report->Add({"reanalysis.articles_per_s.during_live_ingest", during_rate, "articles/s", extractor_alone, ename});
  report->Add({"reanalysis.articles_reanalyzed", static_cast<double>(done.articles_reanalyzed()), "articles"});
  report->Add({"reanalysis.job_running_fraction_of_live_window", running_fraction, "ratio"});
  Metric paced_rate{"reanalysis.live_ingest.paced.articles_per_s", paced_during.per_s, "articles/s",
                    paced_alone.per_s, "same stream, no re-analysis"};
  report->Add(paced_rate);
  for (double p : {50.0, 99.0}) {
    Metric m{absl::StrFormat("reanalysis.live_ingest.paced.ack_p%.0f_ms", p), paced_during.latency.Pct(p), "ms",
             paced_alone.latency.Pct(p), "same stream, no re-analysis"};
    m.higher_is_better = false;
    report->Add(m);
  }
  report->Add({"reanalysis.live_ingest.streams_8.articles_per_s", burst_during.per_s, "articles/s",
               burst_alone.per_s, "8 streams, no re-analysis"});
  for (double p : {50.0, 99.0}) {
    Metric m{absl::StrFormat("reanalysis.live_ingest.streams_8.ack_p%.0f_ms", p), burst_during.latency.Pct(p),
             "ms", burst_alone.latency.Pct(p), "8 streams, no re-analysis"};
    m.higher_is_better = false;
    report->Add(m);
  }
  int64_t errors = paced_alone.errors + burst_alone.errors + paced_during.errors + burst_during.errors;
  int64_t rejected = paced_alone.rejected + burst_alone.rejected + paced_during.rejected + burst_during.rejected;
  if (errors + rejected > 0) Progress(absl::StrCat("re-analysis live ingest: ", rejected, " rejected, ", errors, " stream errors"));
  Progress(absl::StrFormat(
      "re-analysis of %d articles: %.0f/s alone (extractor alone %.0f/s, ratio %.2f), %.0f/s during live ingest, "
      "%.1f s in all; live paced ack p99 %.1f ms (alone %.1f), 8 streams %.0f/s (alone %.0f)",
      done.articles_reanalyzed(), alone_rate, extractor_alone, alone_rate / extractor_alone, during_rate, total_s,
      paced_during.latency.Pct(99), paced_alone.latency.Pct(99), burst_during.per_s, burst_alone.per_s));
  return true;
}

// ---------------------------------------------------------------- main

struct Settings {
  bool quick;
  int64_t articles;
  double duration_s;
  std::vector<int64_t> fill;
  std::vector<double> follow_rates;
  int in_flight;
};

int Main() {
  Settings cfg;
  cfg.quick = absl::GetFlag(FLAGS_quick);
  cfg.articles = absl::GetFlag(FLAGS_articles);
  if (cfg.articles <= 0) cfg.articles = cfg.quick ? 300 : 2000;
  cfg.duration_s = absl::GetFlag(FLAGS_duration_s);
  if (cfg.duration_s <= 0) cfg.duration_s = cfg.quick ? 1 : 5;
  for (absl::string_view f : absl::StrSplit(absl::GetFlag(FLAGS_fill), ',', absl::SkipEmpty())) {
    int64_t n = 0;
    if (!absl::SimpleAtoi(f, &n) || n < 0) {
      std::fprintf(stderr, "--fill: not a number: %s\n", std::string(f).c_str());
      return 2;
    }
    cfg.fill.push_back(n);
  }
  if (cfg.fill.empty()) cfg.fill.push_back(cfg.quick ? 500 : 2000);
  std::sort(cfg.fill.begin(), cfg.fill.end());
  for (absl::string_view f : absl::StrSplit(absl::GetFlag(FLAGS_follow_rate), ',', absl::SkipEmpty())) {
    double r = 0;
    if (!absl::SimpleAtod(f, &r) || r <= 0) {
      std::fprintf(stderr, "--follow_rate: not a positive number: %s\n", std::string(f).c_str());
      return 2;
    }
    cfg.follow_rates.push_back(r);
  }
  if (cfg.follow_rates.empty()) cfg.follow_rates.push_back(1000);
  cfg.in_flight = absl::GetFlag(FLAGS_in_flight);
  const bool spawn = absl::GetFlag(FLAGS_spawn);
  const int replicas = std::clamp(absl::GetFlag(FLAGS_query_replicas), 1, 2);
  const bool reanalysis_only = absl::GetFlag(FLAGS_reanalysis_only);
  int64_t reanalysis_n = absl::GetFlag(FLAGS_reanalysis_articles);
  if (reanalysis_n < 0) reanalysis_n = cfg.quick ? 200 : 1000;
  if (!spawn) reanalysis_n = 0;  // the phase starts its own services
  if (reanalysis_only && reanalysis_n == 0) {
    std::fprintf(stderr, "relbench: --reanalysis_only needs --spawn and --reanalysis_articles > 0\n");
    return 2;
  }

  Report report(absl::GetFlag(FLAGS_json));
  std::error_code ec;
  std::string tmp = absl::StrCat(std::filesystem::temp_directory_path(ec).string(), "/relbench-", getpid());
  std::filesystem::create_directories(tmp, ec);

  // Services.
  std::vector<Spawned> spawned;
  std::string ingest = absl::GetFlag(FLAGS_ingest_target);
  std::string ingest_raw = absl::GetFlag(FLAGS_ingest_raw_target);
  std::string query = absl::GetFlag(FLAGS_query_target);
  int64_t ingest_pid = absl::GetFlag(FLAGS_ingest_pid), query_pid = absl::GetFlag(FLAGS_query_pid);
  int64_t query2_pid = 0;
  std::string query2;
  auto cleanup = [&] {
    int bad = 0;
    for (auto it = spawned.rbegin(); it != spawned.rend(); ++it) {
      int rc = Stop(*it);
      if (rc != 0) {
        Progress(absl::StrCat(it->name, " (pid ", it->pid, ") exited with ", rc));
        ++bad;
      }
    }
    if (!absl::GetFlag(FLAGS_keep_data)) std::filesystem::remove_all(tmp, ec);
    return bad;
  };
  if (spawn && !reanalysis_only) {
    auto in = Spawn("ingest-service", {"--listen=127.0.0.1:0", "--data_dir=" + tmp + "/ingest", "--log_level=warning"},
                    tmp + "/ingest.log");
    if (!in.ok()) { Progress(std::string(in.status().message())); cleanup(); return 1; }
    spawned.push_back(*in);
    ingest = in->target;
    ingest_pid = in->pid;
    auto raw = Spawn("ingest-service", {"--listen=127.0.0.1:0", "--data_dir=" + tmp + "/ingest-raw",
                                        "--log_level=warning", "--skip_extraction"},
                     tmp + "/ingest-raw.log");
    if (!raw.ok()) { Progress(std::string(raw.status().message())); cleanup(); return 1; }
    spawned.push_back(*raw);
    ingest_raw = raw->target;
    auto q = Spawn("query-service", {"--listen=127.0.0.1:0", "--data_dir=" + tmp + "/query",
                                     "--ingest_target=" + ingest, "--log_level=warning"},
                   tmp + "/query.log");
    if (!q.ok()) { Progress(std::string(q.status().message())); cleanup(); return 1; }
    spawned.push_back(*q);
    query = q->target;
    query_pid = q->pid;
    Progress(absl::StrCat("spawned ingest ", ingest, " (pid ", ingest_pid, "), ingest --skip_extraction ",
                          ingest_raw, ", query ", query, " (pid ", query_pid, ") in ", tmp));
  }
  if (!reanalysis_only && (ingest.empty() || query.empty())) {
    std::fprintf(stderr, "relbench: give --spawn, or --ingest_target and --query_target\n");
    return 2;
  }

  // Articles: one deterministic stream, so that no phase resends another's.
  GeneratorOptions gen_options;
  gen_options.seed = absl::GetFlag(FLAGS_seed);
  gen_options.resources_dir = RELMON_DEFAULT_DATA_DIR;
  gen_options.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
  gen_options.templates_dir = RELMON_BENCH_DATA_DIR;
  auto generator = ArticleGenerator::Create(gen_options);
  if (!generator.ok()) {
    Progress(absl::StrCat("generator: ", generator.status().ToString()));
    cleanup();
    return 1;
  }
  auto take = [&](int64_t n) {
    std::vector<Article> v;
    v.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v.push_back((*generator)->Next());
    return v;
  };
  QueryMix mix;
  mix.all = (*generator)->country_codes();
  mix.hot.assign(mix.all.begin(), mix.all.begin() + std::min<size_t>(8, mix.all.size()));

  const std::vector<Article> bench_articles = take(cfg.articles);
  double mean_article_bytes = 0;
  for (const Article& a : bench_articles) mean_article_bytes += a.ByteSizeLong();
  mean_article_bytes /= std::max<size_t>(1, bench_articles.size());
  Progress(absl::StrFormat("%d articles per ingest run, mean %.0f bytes", cfg.articles, mean_article_bytes));

  // Baselines: extractor, raw RocksDB, echo.
  extraction::ExtractorOptions ex_options;
  ex_options.resources_dir = RELMON_DEFAULT_DATA_DIR;
  ex_options.iso_codes_dir = RELMON_DEFAULT_ISO_CODES_DIR;
  auto extractor = extraction::Extractor::Create(ex_options);
  if (!extractor.ok()) {
    Progress(absl::StrCat("extractor: ", extractor.status().ToString()));
    cleanup();
    return 1;
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto reanalysis_phase = [&] {
    if (reanalysis_n <= 0) return true;
    return RunReanalysisPhase(reanalysis_n, tmp, take, bench_articles, **extractor, cores, cfg.in_flight,
                              std::max(1.0, cfg.duration_s), cfg.articles, &spawned, &report);
  };
  auto print_load = [] {
    std::ifstream loadavg("/proc/loadavg");
    std::string load;
    std::getline(loadavg, load);
    return load;
  };
  if (reanalysis_only) {
    Progress(absl::StrCat("load average at start: ", print_load()));
    bool ok = reanalysis_phase();
    report.PrintTable(absl::GetFlag(FLAGS_json) ? stderr : stdout);
    int bad_exits = cleanup();
    std::fprintf(stderr, "[relbench] %zu metrics; load average now: %s\n", report.names().size(),
                 print_load().c_str());
    return ok && bad_exits == 0 ? 0 : 1;
  }
  {
    // Warm-up (lazy tables, allocator arenas, page faults), so the 1-thread
    // figure is not the only one paying for them.
    std::vector<Article> warm(bench_articles.begin(),
                              bench_articles.begin() + std::min<size_t>(bench_articles.size(), 300));
    (void)ExtractorThroughput(**extractor, warm, cores);
  }
  double extract_1 = ExtractorThroughput(**extractor, bench_articles, 1);
  double extract_all = ExtractorThroughput(**extractor, bench_articles, cores);
  report.Add({"baseline.extractor.articles_per_s.threads_1", extract_1, "articles/s"});
  report.Add({absl::StrCat("baseline.extractor.articles_per_s.threads_", cores), extract_all, "articles/s"});
  Progress("extractor baseline done");

  RawResult raw1 = RawRocksDb(tmp + "/raw-rocksdb", bench_articles, 1);
  RawResult raw8 = RawRocksDb(tmp + "/raw-rocksdb", bench_articles, 8);
  report.Add({"baseline.rocksdb_sync.articles_per_s.writers_1", raw1.per_s, "articles/s"});
  report.Add({"baseline.rocksdb_sync.articles_per_s.writers_8", raw8.per_s, "articles/s"});
  report.Add({"baseline.rocksdb_sync.latency_p50_ms.writers_8", raw8.latency.Pct(50), "ms"});
  Progress("raw RocksDB baseline done");

  EchoServer echo;
  if (!echo.Start()) {
    Progress("echo server failed to start");
    cleanup();
    return 1;
  }
  StreamResult echo1 = EchoStreams(echo.target, bench_articles, 1, cfg.in_flight);
  StreamResult echo8 = EchoStreams(echo.target, bench_articles, 8, cfg.in_flight);
  report.Add({"baseline.echo_stream.articles_per_s.streams_1", echo1.per_s, "articles/s"});
  report.Add({"baseline.echo_stream.articles_per_s.streams_8", echo8.per_s, "articles/s"});
  Progress("echo stream baseline done");

  // Ingest: transport + durable log (--skip_extraction), then end to end.
  struct IngestCase {
    const char* label;
    std::string target;
  };
  std::vector<IngestCase> cases;
  if (!ingest_raw.empty()) cases.push_back({"skip_extraction", ingest_raw});
  cases.push_back({"extraction", ingest});
  StreamResult last_fill;
  int64_t stored = 0;  // articles ingested into the extraction ingest
  for (const IngestCase& c : cases) {
    for (int streams : {1, 8}) {
      std::vector<Article> articles = take(cfg.articles);
      StreamResult r = IngestStreams(c.target, articles, streams, cfg.in_flight);
      if (c.target == ingest) {
        stored += r.accepted;
        last_fill = r;
      }
      const StreamResult& echo_r = streams == 1 ? echo1 : echo8;
      const RawResult& raw_r = streams == 1 ? raw1 : raw8;
      std::string m = absl::StrCat("ingest.", c.label);
      Metric tput{absl::StrCat(m, ".articles_per_s.streams_", streams), r.per_s, "articles/s"};
      Metric p50{absl::StrCat(m, ".ack_p50_ms.streams_", streams), r.latency.Pct(50), "ms"};
      Metric p99{absl::StrCat(m, ".ack_p99_ms.streams_", streams), r.latency.Pct(99), "ms"};
      p50.higher_is_better = p99.higher_is_better = false;
      if (std::string(c.label) == "skip_extraction") {
        bool echo_slower = echo_r.per_s < raw_r.per_s;
        tput.baseline = std::min(echo_r.per_s, raw_r.per_s);
        tput.baseline_name = echo_slower ? absl::StrCat("echo stream x", streams)
                                         : absl::StrCat("rocksdb sync, writers ", streams);
        p50.baseline = echo_slower ? echo_r.latency.Pct(50) : raw_r.latency.Pct(50);
        p99.baseline = echo_slower ? echo_r.latency.Pct(99) : raw_r.latency.Pct(99);
        p50.baseline_name = p99.baseline_name = tput.baseline_name;
      } else {
        tput.baseline = extract_all;
        tput.baseline_name = absl::StrCat("extractor, ", cores, " threads");
        p50.baseline = echo_r.latency.Pct(50);
        p99.baseline = echo_r.latency.Pct(99);
        p50.baseline_name = p99.baseline_name = absl::StrCat("echo stream x", streams);
        if (streams == 8) tput.target = 3000;
      }
      report.Add(tput);
      report.Add(p50);
      report.Add(p99);
      if (std::string(c.label) == "skip_extraction" && streams == 8) {
        report.Add({"ingest.skip_extraction.ratio_to_slower_raw_baseline.streams_8", r.per_s / *tput.baseline,
                    "ratio", std::nullopt, "", 0.5});
      }
      if (std::string(c.label) == "extraction" && streams == 8) {
        report.Add({"ingest.extraction.ratio_to_extractor.streams_8", r.per_s / extract_all, "ratio",
                    std::nullopt, "", 0.7});
      }
      if (r.rejected + r.errors > 0) {
        Progress(absl::StrCat("ingest ", c.label, ": ", r.rejected, " rejected, ", r.errors, " stream errors"));
      }
      Progress(absl::StrFormat("ingest %s x%d: %.0f articles/s", c.label, streams, r.per_s));
    }
  }

  // Query benchmarks at each fill level.
  std::vector<std::string> query_targets = {query};
  double p50_at_first = NAN, p50_at_last = NAN;
  std::map<int, QueryResult> echo_unary;  // by callers, measured once
  for (size_t level = 0; level < cfg.fill.size(); ++level) {
    int64_t want = cfg.fill[level];
    if (stored < want) {
      Progress(absl::StrFormat("filling the store to %d articles", want));
      const int64_t chunk = 20000;
      while (stored < want) {
        std::vector<Article> articles = take(std::min(chunk, want - stored));
        StreamResult r = IngestStreams(ingest, articles, 8, cfg.in_flight);
        stored += r.accepted + r.duplicate;
        if (r.accepted + r.duplicate == 0) break;
        last_fill = r;
        Progress(absl::StrFormat("  %d stored (%.0f articles/s)", stored, r.per_s));
      }
    }
    Clock::time_point catch_up = Clock::now();
    double waited = WaitVisible(query, last_fill.last_article_id, last_fill.last_sequence, 1800);
    Progress(absl::StrFormat("query service caught up after %.1f s more", waited));
    (void)catch_up;
    const std::string suffix = absl::StrCat(".articles_", want);
    // Earlier phases may already have stored more than this level asks for.
    report.Add({absl::StrCat("store.articles_stored", suffix), static_cast<double>(stored), "articles"});
    report.Add({absl::StrCat("rss.ingest_mib", suffix), ProcStatusMiB(ingest_pid, "VmRSS"), "MiB",
                std::nullopt, "", 512, false});
    report.Add({absl::StrCat("rss.query_mib", suffix), ProcStatusMiB(query_pid, "VmRSS"), "MiB",
                std::nullopt, "", 512, false});
    for (int callers : {1, 8, 32}) {
      QueryResult q = QueryLoad(query_targets, mix, callers, cfg.duration_s);
      if (!echo_unary.count(callers)) {
        echo_unary[callers] = EchoUnaryLoad(echo.target, callers, cfg.duration_s,
                                            static_cast<size_t>(q.mean_request_bytes),
                                            static_cast<size_t>(q.mean_response_bytes));
      }
      QueryResult& e = echo_unary[callers];
      std::string m = absl::StrCat("query", suffix);
      std::string c = absl::StrCat(".callers_", callers);
      std::string ename = absl::StrCat("echo unary x", callers);
      Metric qps{absl::StrCat(m, ".qps", c), q.qps, "queries/s", e.qps, ename};
      report.Add(qps);
      if (callers == 32) {
        report.Add({absl::StrCat(m, ".qps_ratio_to_echo", c), q.qps / e.qps, "ratio", std::nullopt, "", 0.6});
      }
      for (double p : {50.0, 99.0, 99.9}) {
        std::string pname = p == 50 ? "p50" : p == 99 ? "p99" : "p999";
        Metric lat{absl::StrCat(m, ".latency_", pname, "_ms", c), q.latency.Pct(p), "ms", e.latency.Pct(p), ename};
        lat.higher_is_better = false;
        if (p == 99 && callers == 32) lat.target = 5;
        report.Add(lat);
      }
      report.Add({absl::StrCat(m, ".mean_response_bytes", c), q.mean_response_bytes, "bytes"});
      if (q.errors > 0) {
        Progress(absl::StrCat("query errors at ", callers, " callers: ", q.errors, " (", q.first_error, ")"));
      }
      report.Add({absl::StrCat(m, ".errors", c), static_cast<double>(q.errors), "calls", std::nullopt, "", 1, false});
      if (callers == 8) {
        // Which call costs what: the mix's parts, same run.
        for (int k = 0; k < kNumQueryKinds; ++k) {
          std::string kind = absl::StrCat(m, ".", kQueryKinds[k]);
          size_t n = q.by_kind[k].ms.size();
          Metric kp50{absl::StrCat(kind, ".latency_p50_ms", c), q.by_kind[k].Pct(50), "ms", e.latency.Pct(50), ename};
          Metric kp99{absl::StrCat(kind, ".latency_p99_ms", c), q.by_kind[k].Pct(99), "ms", e.latency.Pct(99), ename};
          kp50.higher_is_better = kp99.higher_is_better = false;
          report.Add(kp50);
          report.Add(kp99);
          report.Add({absl::StrCat(kind, ".mean_response_bytes", c),
                      n == 0 ? NAN : q.response_bytes_by_kind[k] / static_cast<double>(n), "bytes"});
        }
        if (level == 0) p50_at_first = q.latency.Pct(50);
        p50_at_last = q.latency.Pct(50);
      }
      Progress(absl::StrFormat("query at %d articles x%d callers: %.0f qps (echo %.0f), p99 %.2f ms", want,
                               callers, q.qps, e.qps, q.latency.Pct(99)));
    }
  }
  if (cfg.fill.size() >= 2) {
    report.Add({absl::StrCat("query.p50_growth.articles_", cfg.fill.front(), "_to_", cfg.fill.back(),
                             ".callers_8"),
                p50_at_last / p50_at_first, "ratio", std::nullopt, "", 1.5, false});
  }

  // Follow lag at a steady rate (and on the second replica, if any).
  if (spawn && replicas == 2) {
    auto q2 = Spawn("query-service", {"--listen=127.0.0.1:0", "--data_dir=" + tmp + "/query2",
                                      "--ingest_target=" + ingest, "--log_level=warning"},
                    tmp + "/query2.log");
    if (q2.ok()) {
      spawned.push_back(*q2);
      query2 = q2->target;
      query2_pid = q2->pid;
      double s = WaitVisible(query2, last_fill.last_article_id, last_fill.last_sequence, 1800);
      report.Add({"replicas.query2_catch_up.articles_per_s", static_cast<double>(stored) / s, "articles/s"});
      Progress(absl::StrFormat("second query replica caught up %d articles in %.1f s", stored, s));
    } else {
      Progress(std::string(q2.status().message()));
    }
  }
  for (double follow_rate : cfg.follow_rates) {
    int64_t n = std::max<int64_t>(50, static_cast<int64_t>(follow_rate * std::max(cfg.duration_s, 1.0) *
                                                           (cfg.quick ? 1 : 2)));
    std::vector<std::string> targets = {query};
    if (!query2.empty()) targets.push_back(query2);
    std::vector<Latencies> lags = FollowLag(ingest, targets, take(n), follow_rate);
    stored += n;
    for (size_t t = 0; t < targets.size(); ++t) {
      std::string prefix = t == 0 ? "follow_lag" : "replicas.follow_lag_replica2";
      std::string rate = absl::StrFormat(".rate_%.0f", follow_rate);
      Metric p50{prefix + "_p50_ms" + rate, lags[t].Pct(50), "ms", echo_unary[1].latency.Pct(50), "echo unary x1"};
      Metric p99{prefix + "_p99_ms" + rate, lags[t].Pct(99), "ms", echo_unary[1].latency.Pct(99), "echo unary x1"};
      p50.higher_is_better = p99.higher_is_better = false;
      p99.target = 100;
      report.Add(p50);
      report.Add(p99);
    }
    Progress(absl::StrFormat("follow lag at %.0f/s: p99 %.1f ms", follow_rate, lags[0].Pct(99)));
  }
  if (!query2.empty()) {
    QueryResult one = QueryLoad({query}, mix, 32, cfg.duration_s);
    QueryResult two = QueryLoad({query, query2}, mix, 32, cfg.duration_s);
    report.Add({"replicas.query_qps.replicas_2.callers_32", two.qps, "queries/s", one.qps, "1 replica x32"});
    Metric p99{"replicas.query_latency_p99_ms.replicas_2.callers_32", two.latency.Pct(99), "ms",
               one.latency.Pct(99), "1 replica x32"};
    p99.higher_is_better = false;
    report.Add(p99);
    report.Add({"rss.query2_mib", ProcStatusMiB(query2_pid, "VmRSS"), "MiB", std::nullopt, "", 512, false});
  }

  // Re-analysis (issue 11), on its own store and ingest service.
  const bool reanalysis_ok = reanalysis_phase();

  report.Add({"rss.ingest_mib.final", ProcStatusMiB(ingest_pid, "VmRSS"), "MiB", std::nullopt, "", 512, false});
  report.Add({"rss.query_mib.final", ProcStatusMiB(query_pid, "VmRSS"), "MiB", std::nullopt, "", 512, false});
  report.Add({"rss.ingest_peak_mib", ProcStatusMiB(ingest_pid, "VmHWM"), "MiB", std::nullopt, "", 512, false});
  report.Add({"rss.query_peak_mib", ProcStatusMiB(query_pid, "VmHWM"), "MiB", std::nullopt, "", 512, false});

  echo.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  report.PrintTable(absl::GetFlag(FLAGS_json) ? stderr : stdout);
  int bad_exits = cleanup();

  // Every metric must have a finite value (RSS needs a PID).
  int missing = 0;
  std::vector<std::string> required = {
      "ingest.extraction.articles_per_s.streams_8", "ingest.extraction.ack_p99_ms.streams_1",
      "follow_lag_p99_ms", "rss.ingest_mib.final", "rss.query_mib.final",
      absl::StrCat("query.articles_", cfg.fill.back(), ".qps.callers_32"),
      absl::StrCat("query.articles_", cfg.fill.back(), ".latency_p999_ms.callers_32")};
  if (!ingest_raw.empty()) required.push_back("ingest.skip_extraction.articles_per_s.streams_8");
  if (reanalysis_n > 0) {
    required.push_back("reanalysis.articles_per_s.overall");
    required.push_back("reanalysis.live_ingest.paced.ack_p99_ms");
    if (!reanalysis_ok) ++bad_exits;
  }
  if (!query2.empty() || (spawn && replicas == 2)) required.push_back("replicas.query_qps.replicas_2.callers_32");
  for (const std::string& r : required) {
    bool found = false;
    for (const std::string& n : report.names()) {
      if (n.rfind(r, 0) == 0) {
        auto v = report.Get(n);
        found = v && std::isfinite(*v);
        if (found) break;
      }
    }
    if (!found) {
      Progress(absl::StrCat("missing metric: ", r));
      ++missing;
    }
  }
  std::fprintf(stderr, "[relbench] %zu metrics, %d missing; load average now: ", report.names().size(), missing);
  std::ifstream loadavg("/proc/loadavg");
  std::string load;
  std::getline(loadavg, load);
  std::fprintf(stderr, "%s\n", load.c_str());
  if (absl::GetFlag(FLAGS_check_complete) && (missing > 0 || bad_exits > 0)) return 1;
  return 0;
}

}  // namespace
}  // namespace relmon::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "relbench --spawn [--quick] [--json] | relbench --ingest_target=H:P --query_target=H:P ...\n"
      "End-to-end benchmark of ingest-service and query-service against in-process baselines.");
  absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  return relmon::bench::Main();
}
