#include "ingest-service/reanalyzer.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "ingest-service/worker_pool.h"

namespace relmon::ingest {
namespace {

using relations::v1::Reanalysis;
using relations::v1::StartReanalysisRequest;

constexpr char kJobKey[] = "reanalysis_job";
// Events read per call of the pre-pass (which only looks at versions).
constexpr size_t kPrepassEvents = 2048;
constexpr size_t kReadBytes = size_t{16} << 20;

int64_t Nanos(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000000 + ts.nanos();
}

// Whether an article falls under the job's filters. With a time filter, an
// article of unknown publication date is left out: nothing says it is in.
bool Selected(const StartReanalysisRequest& filter, const relations::v1::Article& article) {
  if (!filter.source().empty() && article.source() != filter.source()) return false;
  if (filter.has_published_since() || filter.has_published_until()) {
    if (!article.has_published_at()) return false;
    const int64_t t = Nanos(article.published_at());
    if (filter.has_published_since() && t < Nanos(filter.published_since())) return false;
    if (filter.has_published_until() && t >= Nanos(filter.published_until())) return false;
  }
  return true;
}

// Lowers the calling thread's priority to the process's nice value plus
// `increment`: Linux applies a nice value per thread, so the extractor then
// runs on whatever the ingest threads leave. Relative to the main thread,
// not to the caller's own value, which a thread inherits from its creator
// (the job's threads are created by the already lowered job thread).
void LowerThreadPriority(int increment) {
  if (increment == 0) return;
  errno = 0;
  const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(getpid()));
  if (errno != 0) return;
  const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
  setpriority(PRIO_PROCESS, tid, base + increment);
}

// One batch of the scan: the articles it selects that need a new analysis
// and, once extracted, their appends (same index, scan order).
struct ScanBatch {
  uint64_t last_scanned = 0;
  // Articles the filters select (counted as done once the batch commits).
  uint64_t selected = 0;
  std::vector<relations::v1::Article> articles;
  std::vector<ArticleAppend> appends;
  // Extractions not finished yet; guarded by the job's batches mutex.
  size_t pending = 0;
};

}  // namespace

Reanalyzer::Reanalyzer(EventLog* log, const extraction::Extractor* extractor,
                       ReanalyzerOptions options)
    : log_(log), extractor_(extractor), options_(options) {}

absl::StatusOr<std::unique_ptr<Reanalyzer>> Reanalyzer::Create(
    EventLog* log, const extraction::Extractor* extractor, ReanalyzerOptions options) {
  if (options.batch_events == 0) return absl::InvalidArgumentError("batch_events must be positive");
  std::unique_ptr<Reanalyzer> r(new Reanalyzer(log, extractor, options));
  absl::StatusOr<std::optional<std::string>> stored = log->GetMeta(kJobKey);
  if (!stored.ok()) return stored.status();
  r->job_.set_state(relations::v1::REANALYSIS_STATE_NONE);
  if (stored->has_value() && !r->job_.ParseFromString(**stored)) {
    return absl::DataLossError("malformed stored re-analysis job");
  }
  if (r->job_.state() == relations::v1::REANALYSIS_STATE_RUNNING) {
    if (extractor == nullptr) {
      LogWarning("re-analysis not resumed: extraction is off");
    } else {
      if (r->job_.extractor_version() != extractor->version()) {
        // The job continues with the extractor now loaded.
        r->job_.set_extractor_version(extractor->version());
      }
      LogInfo("re-analysis resumed", {{"reanalysis_id", absl::StrCat(r->job_.reanalysis_id())},
                                      {"scanned_sequence", absl::StrCat(r->job_.scanned_sequence())},
                                      {"end_sequence", absl::StrCat(r->job_.end_sequence())}});
      r->Launch();
    }
  }
  return r;
}

Reanalyzer::~Reanalyzer() { Stop(); }

void Reanalyzer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    stop_requested_.store(true);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Reanalyzer::Stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

absl::StatusOr<Reanalysis> Reanalyzer::Start(const StartReanalysisRequest& request) {
  if (extractor_ == nullptr) {
    return absl::FailedPreconditionError("extraction is off on this service (--skip_extraction)");
  }
  if (request.has_published_since() && request.has_published_until() &&
      Nanos(request.published_since()) > Nanos(request.published_until())) {
    return absl::InvalidArgumentError("published_since must not be after published_until");
  }
  Reanalysis job;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::UnavailableError("shutting down");
    if (job_.state() == relations::v1::REANALYSIS_STATE_RUNNING) {
      return absl::FailedPreconditionError(
          absl::StrCat("re-analysis ", job_.reanalysis_id(), " is still running"));
    }
    job.set_reanalysis_id(job_.reanalysis_id() + 1);
    job.set_state(relations::v1::REANALYSIS_STATE_RUNNING);
    *job.mutable_filter() = request;
    job.set_extractor_version(extractor_->version());
    job.set_end_sequence(log_->last_sequence());
    if (absl::Status s = Persist(job); !s.ok()) return s;
    job_ = job;
  }
  if (thread_.joinable()) thread_.join();  // the previous, finished job
  Launch();
  LogInfo("re-analysis started", {{"reanalysis_id", absl::StrCat(job.reanalysis_id())},
                                  {"end_sequence", absl::StrCat(job.end_sequence())},
                                  {"extractor_version", job.extractor_version()}});
  return job;
}

Reanalysis Reanalyzer::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return job_;
}

bool Reanalyzer::WaitUntilFinished(absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] {
    return job_.state() != relations::v1::REANALYSIS_STATE_RUNNING;
  });
}

absl::Status Reanalyzer::Persist(const Reanalysis& job) {
  return log_->PutMeta(kJobKey, job.SerializeAsString());
}

void Reanalyzer::Launch() {
  thread_ = std::thread([this] { Run(); });
}

void Reanalyzer::Run() {
  LowerThreadPriority(options_.nice_increment);
  absl::Status s = RunJob();
  if (Stopping()) {
    // Stays RUNNING in the store, resumed on restart from the last batch
    // whose analyses are durable (job_ never covers more).
    Reanalysis job = Get();
    if (absl::Status p = Persist(job); !p.ok()) {
      LogError("cannot store the re-analysis state", {{"error", p.ToString()}});
    }
    return;
  }
  Reanalysis job;
  {
    // Stored under the lock: a Start right after must not be overwritten
    // by this older job's final state.
    std::lock_guard<std::mutex> lock(mu_);
    if (s.ok()) {
      job_.set_state(relations::v1::REANALYSIS_STATE_DONE);
    } else {
      job_.set_state(relations::v1::REANALYSIS_STATE_FAILED);
      job_.set_error(s.ToString());
    }
    job = job_;
    if (absl::Status p = Persist(job); !p.ok()) {
      LogError("cannot store the re-analysis state", {{"error", p.ToString()}});
    }
  }
  LogInfo("re-analysis finished", {{"reanalysis_id", absl::StrCat(job.reanalysis_id())},
                                   {"state", relations::v1::ReanalysisState_Name(job.state())},
                                   {"articles_done", absl::StrCat(job.articles_done())},
                                   {"articles_reanalyzed", absl::StrCat(job.articles_reanalyzed())},
                                   {"error", job.error()}});
  cv_.notify_all();
}

absl::Status Reanalyzer::RunJob() {
  Reanalysis job = Get();
  const std::string& version = extractor_->version();

  // Pre-pass over the whole log: the version of each article's newest
  // analysis (so a restart does not redo what an earlier run appended) and
  // how many articles the job selects.
  absl::flat_hash_map<std::string, std::string> newest_version;
  uint64_t total = 0;
  for (uint64_t from = 1; !Stopping();) {
    auto events = log_->ReadFrom(from, kPrepassEvents, kReadBytes);
    if (!events.ok()) return events.status();
    if (events->empty()) break;
    for (const auto& e : *events) {
      if (e.has_article_analyzed()) {
        newest_version[e.article_analyzed().article_id()] =
            e.article_analyzed().extractor_version();
      } else if (e.has_article_recorded() && e.sequence() <= job.end_sequence() &&
                 Selected(job.filter(), e.article_recorded().article())) {
        ++total;
      }
    }
    from = events->back().sequence() + 1;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_.set_articles_total(total);
  }

  // Extraction runs on the job's own pool, niced like the job's thread.
  // Declared before the pool: the pool's tasks point into `batches`, and the
  // pool (destroyed first) joins them.
  std::mutex batches_mu;
  std::condition_variable batches_cv;
  std::deque<std::unique_ptr<ScanBatch>> batches;
  std::atomic<bool> abandon{false};
  const size_t threads = options_.threads != 0
                             ? options_.threads
                             : std::max<size_t>(1, std::thread::hardware_concurrency());
  const int nice_increment = options_.nice_increment;
  WorkerPool pool(threads, [nice_increment] { LowerThreadPriority(nice_increment); });
  // On any return, queued extractions are skipped and the pool drained
  // before `batches` goes away.
  struct DrainOnExit {
    std::atomic<bool>* abandon;
    WorkerPool* pool;
    ~DrainOnExit() {
      abandon->store(true);
      pool->Shutdown();
    }
  } drain_on_exit{&abandon, &pool};

  const size_t batches_ahead = std::max<size_t>(1, options_.batches_ahead);
  absl::Time last_persist = absl::Now();
  LiveIngestWatch live;
  live.seen_sequence = log_->last_sequence();
  live.last_seen = absl::InfinitePast();
  uint64_t from = job.scanned_sequence() + 1;
  bool scan_done = from > job.end_sequence();
  for (;;) {
    // Read ahead: keep the pool busy while earlier batches commit.
    while (!scan_done && batches.size() < batches_ahead) {
      if (stop_requested_.load()) return absl::CancelledError("stopping");
      auto events = log_->ReadFrom(from, options_.batch_events, kReadBytes);
      if (!events.ok()) return events.status();
      if (events->empty()) {
        scan_done = true;
        break;
      }
      auto batch = std::make_unique<ScanBatch>();
      batch->last_scanned = from - 1;
      for (relations::v1::LogEvent& e : *events) {
        if (e.sequence() > job.end_sequence()) break;
        batch->last_scanned = e.sequence();
        if (!e.has_article_recorded()) continue;
        relations::v1::Article* article = e.mutable_article_recorded()->mutable_article();
        if (!Selected(job.filter(), *article)) continue;
        ++batch->selected;
        auto it = newest_version.find(article->id());
        if (it != newest_version.end() && it->second == version) continue;
        batch->articles.push_back(std::move(*article));
      }
      if (batch->last_scanned >= job.end_sequence()) scan_done = true;
      if (batch->last_scanned < from) {  // nothing of the job's range left
        scan_done = true;
        break;
      }
      from = batch->last_scanned + 1;
      batch->appends.resize(batch->articles.size());
      batch->pending = batch->articles.size();
      ScanBatch* b = batch.get();
      batches.push_back(std::move(batch));
      for (size_t i = 0; i < b->articles.size(); ++i) {
        pool.Submit([this, b, i, &abandon, &batches_mu, &batches_cv] {
          if (!abandon.load() && !stop_requested_.load()) {
            extraction::ExtractionResult extracted = extractor_->Extract(b->articles[i]);
            ArticleAppend& append = b->appends[i];
            append.analysis_only = true;
            append.analyzed = std::move(extracted.analysis);
            append.analyzed.set_article_id(b->articles[i].id());
          }
          b->articles[i] = relations::v1::Article();  // the text is no longer needed
          bool last = false;
          {
            std::lock_guard<std::mutex> lock(batches_mu);
            last = --b->pending == 0;
          }
          if (last) batches_cv.notify_all();
        });
      }
    }
    if (batches.empty()) break;

    // Commit the oldest batch: scan order, so the stored resume point only
    // ever covers durable analyses.
    ScanBatch& front = *batches.front();
    {
      std::unique_lock<std::mutex> lock(batches_mu);
      batches_cv.wait(lock, [&front] { return front.pending == 0; });
    }
    if (stop_requested_.load()) return absl::CancelledError("stopping");
    uint64_t reanalyzed = 0;
    if (absl::Status s = AppendDurably(front.appends, &reanalyzed, &live); !s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_.set_scanned_sequence(front.last_scanned);
      job_.set_articles_done(job_.articles_done() + front.selected);
      job_.set_articles_reanalyzed(job_.articles_reanalyzed() + reanalyzed);
      job = job_;
      // Every synced write delays the live articles queued behind it, so
      // the resume point is stored at most every persist_interval (and
      // when the job stops or ends); a restart redoes at most that much
      // scanning, and the pre-pass keeps it from appending twice.
      const absl::Time now = absl::Now();
      if (now - last_persist >= options_.persist_interval) {
        if (absl::Status s = Persist(job); !s.ok()) return s;
        last_persist = now;
      }
    }
    cv_.notify_all();
    batches.pop_front();
    if (options_.pause_between_batches > absl::ZeroDuration()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.pause_between_batches),
                   [this] { return stopping_; });
    }
  }
  return absl::OkStatus();
}

absl::Status Reanalyzer::AppendDurably(std::vector<ArticleAppend>& appends, uint64_t* appended,
                                       LiveIngestWatch* live) {
  // A bounded chunk at a time: the log's writer takes whole queues into one
  // group, and a live article queued behind the job's analyses should wait
  // for one small group, not for the whole batch.
  for (size_t begin = 0; begin < appends.size();) {
    // Live ingest is active when the log grew by more than the job's own
    // appends since the job's last chunk (or did so within the last second).
    const absl::Time now = absl::Now();
    const uint64_t start_sequence = log_->last_sequence();
    if (start_sequence > live->seen_sequence) live->last_seen = now;
    const bool live_active = now - live->last_seen < absl::Seconds(1);
    const size_t chunk = std::max<size_t>(
        1, live_active ? options_.live_append_chunk : options_.append_chunk);
    const size_t end = std::min(appends.size(), begin + chunk);
    std::mutex chunk_mu;
    std::condition_variable chunk_cv;
    size_t pending = end - begin;
    absl::Status chunk_error;
    uint64_t chunk_appended = 0;
    const absl::Time chunk_start = absl::Now();
    for (size_t i = begin; i < end; ++i) {
      log_->AppendAsync(std::move(appends[i]), [&](absl::StatusOr<AppendResult> r) {
        std::lock_guard<std::mutex> lock(chunk_mu);
        if (r.ok()) {
          ++chunk_appended;
        } else if (!absl::IsNotFound(r.status()) && chunk_error.ok()) {
          // NOT_FOUND cannot happen for a logged article; skip it rather
          // than fail the job.
          chunk_error = r.status();
        }
        if (--pending == 0) chunk_cv.notify_all();
      });
    }
    {
      std::unique_lock<std::mutex> lock(chunk_mu);
      chunk_cv.wait(lock, [&pending] { return pending == 0; });
    }
    *appended += chunk_appended;
    if (!chunk_error.ok()) return chunk_error;
    const absl::Duration commit_time = absl::Now() - chunk_start;
    // Each analysis is one event: any more growth is someone else's.
    const uint64_t end_sequence = log_->last_sequence();
    if (end_sequence - start_sequence > chunk_appended) live->last_seen = absl::Now();
    live->seen_sequence = end_sequence;
    begin = end;
    if (options_.live_yield > 0 && absl::Now() - live->last_seen < absl::Seconds(1)) {
      // Leave the log's writer to live articles: the job's synced groups take
      // at most 1 / (1 + live_yield) of its time while ingest is active.
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(commit_time * options_.live_yield),
                   [this] { return stopping_; });
    }
  }
  return absl::OkStatus();
}

}  // namespace relmon::ingest
