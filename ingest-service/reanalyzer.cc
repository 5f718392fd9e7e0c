#include "ingest-service/reanalyzer.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

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
  if (options_.nice_increment != 0) {
    // Linux applies a nice value per thread: the extractor then runs on
    // whatever the ingest threads leave.
    const id_t tid = static_cast<id_t>(syscall(SYS_gettid));
    errno = 0;
    const int current = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) setpriority(PRIO_PROCESS, tid, current + options_.nice_increment);
  }
  absl::Status s = RunJob();
  if (Stopping()) return;  // stays RUNNING in the store: resumed on restart
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

  uint64_t from = job.scanned_sequence() + 1;
  while (from <= job.end_sequence()) {
    if (Stopping()) return absl::CancelledError("stopping");
    auto events = log_->ReadFrom(from, options_.batch_events, kReadBytes);
    if (!events.ok()) return events.status();
    if (events->empty()) break;

    uint64_t done = 0;
    uint64_t last_scanned = from - 1;
    std::vector<ArticleAppend> appends;
    for (const auto& e : *events) {
      if (e.sequence() > job.end_sequence()) break;
      last_scanned = e.sequence();
      if (!e.has_article_recorded()) continue;
      const relations::v1::Article& article = e.article_recorded().article();
      if (!Selected(job.filter(), article)) continue;
      ++done;
      auto it = newest_version.find(article.id());
      if (it != newest_version.end() && it->second == version) continue;
      extraction::ExtractionResult extracted = extractor_->Extract(article);
      ArticleAppend append;
      append.analysis_only = true;
      append.analyzed = std::move(extracted.analysis);
      append.analyzed.set_article_id(article.id());
      appends.push_back(std::move(append));
    }

    // Appended through the group commit; wait for this batch to be durable
    // before recording the progress that covers it.
    std::mutex batch_mu;
    std::condition_variable batch_cv;
    size_t pending = appends.size();
    absl::Status batch_error;
    uint64_t reanalyzed = 0;
    for (ArticleAppend& a : appends) {
      std::string id = a.analyzed.article_id();
      log_->AppendAsync(std::move(a), [&, id](absl::StatusOr<AppendResult> r) {
        std::lock_guard<std::mutex> lock(batch_mu);
        if (!r.ok()) {
          if (absl::IsNotFound(r.status())) {
            // Cannot happen for a logged article; skip rather than fail.
          } else if (batch_error.ok()) {
            batch_error = r.status();
          }
        } else {
          ++reanalyzed;
        }
        if (--pending == 0) batch_cv.notify_all();
      });
    }
    {
      std::unique_lock<std::mutex> lock(batch_mu);
      batch_cv.wait(lock, [&] { return pending == 0; });
    }
    if (!batch_error.ok()) return batch_error;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_.set_scanned_sequence(last_scanned);
      job_.set_articles_done(job_.articles_done() + done);
      job_.set_articles_reanalyzed(job_.articles_reanalyzed() + reanalyzed);
      job = job_;
      if (absl::Status s = Persist(job); !s.ok()) return s;
    }
    cv_.notify_all();
    from = last_scanned + 1;
    if (events->back().sequence() > job.end_sequence()) break;
    if (options_.pause_between_batches > absl::ZeroDuration()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.pause_between_batches),
                   [this] { return stopping_; });
    }
  }
  return absl::OkStatus();
}

}  // namespace relmon::ingest
