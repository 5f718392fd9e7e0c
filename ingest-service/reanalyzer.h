// Reanalyzer: runs the current extractor again over stored articles, in the
// background, and appends a new ArticleAnalyzed event for every article whose
// newest analysis came from another extractor version.
//
// One job at a time. It scans the log's ArticleRecorded events up to the
// log's end when the job started, in batches, on one low-priority thread;
// its appends go through the EventLog's group commit like new articles, so
// ingest is never blocked. After each batch the job (filters, the last
// sequence scanned, counts) is stored in the log's `meta` family, so a
// restarted service resumes where it stopped. Articles whose newest analysis
// already has the current version are skipped: re-analysing with unchanged
// rules and data appends nothing. See docs/history.md.
#ifndef RELMON_INGEST_REANALYZER_H_
#define RELMON_INGEST_REANALYZER_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ingest-service/event_log.h"
#include "ingest-service/extraction/extractor.h"
#include "relations/v1/admin_service.pb.h"

namespace relmon::ingest {

struct ReanalyzerOptions {
  // Log events read per batch (progress is stored after each batch).
  size_t batch_events = 256;
  // Pause between batches, leaving the cores to ingest.
  absl::Duration pause_between_batches = absl::Milliseconds(2);
  // Nice value added to the job's thread (Linux; 0: unchanged).
  int nice_increment = 10;
};

class Reanalyzer {
 public:
  // `log` and `extractor` must outlive the Reanalyzer; `extractor` may be
  // null (then Start is FAILED_PRECONDITION). Resumes a job that was running
  // when the service stopped.
  static absl::StatusOr<std::unique_ptr<Reanalyzer>> Create(
      EventLog* log, const extraction::Extractor* extractor, ReanalyzerOptions options = {});
  ~Reanalyzer();

  Reanalyzer(const Reanalyzer&) = delete;
  Reanalyzer& operator=(const Reanalyzer&) = delete;

  // Starts a job; FAILED_PRECONDITION while one runs, INVALID_ARGUMENT for
  // since > until.
  absl::StatusOr<relations::v1::Reanalysis> Start(
      const relations::v1::StartReanalysisRequest& request);
  // The current or last job (state NONE when there never was one).
  relations::v1::Reanalysis Get() const;
  // Blocks until the job is no longer RUNNING or the timeout passes; true
  // when it finished.
  bool WaitUntilFinished(absl::Duration timeout) const;

  // Stops the job's thread; a running job stays RUNNING in the store and is
  // resumed by the next Create. Idempotent; call before closing the log.
  void Stop();

 private:
  Reanalyzer(EventLog* log, const extraction::Extractor* extractor, ReanalyzerOptions options);
  void Launch();
  void Run();
  absl::Status RunJob();
  absl::Status Persist(const relations::v1::Reanalysis& job);
  bool Stopping() const;

  EventLog* const log_;
  const extraction::Extractor* const extractor_;
  const ReanalyzerOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  relations::v1::Reanalysis job_;  // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  std::thread thread_;
};

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_REANALYZER_H_
