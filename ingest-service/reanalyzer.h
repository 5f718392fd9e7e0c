// Reanalyzer: runs the current extractor again over stored articles, in the
// background, and appends a new ArticleAnalyzed event for every article whose
// newest analysis came from another extractor version.
//
// One job at a time. The job's thread reads the log's ArticleRecorded events
// up to the log's end when the job started, in batches; the batches' articles
// are extracted in parallel on the job's own worker pool (`threads`, niced
// below ingest so live articles get the cores first), with a bounded number
// of batches read ahead. Batches are committed strictly in scan order, each
// batch's analyses appended in scan order in chunks of at most
// `append_chunk` through the EventLog's group commit (so a live article
// never waits behind more than one chunk; smaller chunks and pauses while
// live ingest is active). Progress (filters, the last sequence scanned,
// counts) only ever covers batches whose analyses are durable; it is stored
// in the log's `meta` family at most every `persist_interval` and when the
// job stops, so a restarted service resumes where it stopped and never skips
// an article whose new analysis is not durable. Articles whose newest
// analysis already has the current version are skipped: re-analysing with
// unchanged rules and data appends nothing. See docs/history.md.
#ifndef RELMON_INGEST_REANALYZER_H_
#define RELMON_INGEST_REANALYZER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ingest-service/event_log.h"
#include "ingest-service/extraction/extractor.h"
#include "relations/v1/admin_service.pb.h"

namespace relmon::ingest {

struct ReanalyzerOptions {
  // Log events read per batch (the unit of progress: a batch counts once
  // all its analyses are durable).
  size_t batch_events = 512;
  // Extraction threads of a running job (0: one per hardware thread). They
  // run at `nice_increment`, so they use what ingest leaves of the cores.
  size_t threads = 0;
  // Batches read and queued for extraction ahead of the one being committed
  // (bounds the job's memory and queue: about batches_ahead * batch_events
  // / 2 articles).
  size_t batches_ahead = 3;
  // Most analyses of the job in the log's writer queue at once. Each chunk
  // is one synced group a live article may have to wait behind: small
  // chunks mean many syncs (measured: 16 made live acks 40x slower), large
  // ones a long wait each.
  size_t append_chunk = 128;
  // While live ingest is active (the log grew by other appends within the
  // last second): chunks of at most `live_append_chunk`, and after each a
  // pause of `live_yield` times the chunk's commit time, so the job's synced
  // groups take at most 1 / (1 + live_yield) of the log writer's time and a
  // live article rarely finds the writer busy with the job.
  size_t live_append_chunk = 32;
  double live_yield = 3;
  // How often the resume point is stored (a synced write) while the job
  // runs; it is also stored when the job stops or ends.
  absl::Duration persist_interval = absl::Seconds(1);
  // Pause after each committed batch (tests use it to slow a job down).
  absl::Duration pause_between_batches = absl::ZeroDuration();
  // Nice value added to the job's threads (Linux; 0: unchanged).
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
  // What the job knows of live ingest: the log's last sequence after the
  // job's own last chunk, and when the log last grew by other appends.
  struct LiveIngestWatch {
    uint64_t seen_sequence = 0;
    absl::Time last_seen;
  };
  // Appends a batch's analyses in order, a chunk at a time, each chunk
  // durable before the next (smaller chunks and a pause after each while
  // live ingest is active); counts the appended ones.
  absl::Status AppendDurably(std::vector<ArticleAppend>& appends, uint64_t* appended,
                             LiveIngestWatch* live);
  absl::Status Persist(const relations::v1::Reanalysis& job);
  bool Stopping() const;

  EventLog* const log_;
  const extraction::Extractor* const extractor_;
  const ReanalyzerOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  relations::v1::Reanalysis job_;  // guarded by mu_
  bool stopping_ = false;          // guarded by mu_
  // stopping_, readable by extraction tasks without taking mu_.
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
};

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_REANALYZER_H_
