// Intake: what happens to one article sent to the ingest service, without
// any network: validate, clean, hash, detect duplicates, extract facts on a
// worker pool, append to the event log, report the outcome once durable.
#ifndef RELMON_INGEST_INTAKE_H_
#define RELMON_INGEST_INTAKE_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "ingest-service/article_checks.h"
#include "ingest-service/event_log.h"
#include "ingest-service/extraction/extractor.h"
#include "ingest-service/worker_pool.h"
#include "relations/v1/article.pb.h"
#include "relations/v1/ingest_service.pb.h"

namespace relmon::ingest {

struct IntakeOptions {
  ArticleLimits limits;
  // Extraction threads (0: one per hardware thread).
  size_t extraction_threads = 0;
  // Benchmarks only: store an empty analysis instead of extracting.
  bool skip_extraction = false;
};

// The outcome of one article, as the RPC responses carry it.
struct IngestResult {
  relations::v1::IngestOutcome outcome = relations::v1::INGEST_OUTCOME_UNSPECIFIED;
  std::string article_id;
  // Last sequence of the article's batch (the original's for a duplicate;
  // 0 when rejected).
  uint64_t sequence = 0;
  // Why it was rejected, or a note.
  std::string message;
};

// AppendOrder: makes the articles of one stream reach the log in the order
// they were sent while their extraction runs in parallel, so sequences grow
// with request order and a client may pass its last answer's sequence as
// min_sequence. One per stream; shared with the intake's workers.
class AppendOrder {
 public:
  AppendOrder() = default;
  AppendOrder(const AppendOrder&) = delete;
  AppendOrder& operator=(const AppendOrder&) = delete;

  // The next turn. Take turns in the order the articles arrive, under the
  // same lock that orders their arrival (a stream reactor's), since the
  // next read may complete on another thread before IngestAsync is called.
  uint64_t Take();

 private:
  friend class Intake;
  // Records what ticket `ticket` has to append (an empty function: nothing)
  // and runs every recorded action whose turn has come, in ticket order.
  void Release(uint64_t ticket, std::function<void()> append);

  std::mutex mu_;
  uint64_t next_ticket_ = 0;                          // guarded by mu_
  uint64_t next_release_ = 0;                         // guarded by mu_
  std::map<uint64_t, std::function<void()>> ready_;   // guarded by mu_
};

class Intake {
 public:
  // Runs on a worker thread or the log's writer thread; must not block.
  using Callback = std::function<void(absl::StatusOr<IngestResult>)>;

  // `log` must outlive the Intake. `extractor` may be null only with
  // skip_extraction (then the text is stored as sent).
  static absl::StatusOr<std::unique_ptr<Intake>> Create(const IntakeOptions& options, EventLog* log,
                                                        const extraction::Extractor* extractor);
  ~Intake();

  // Processes the article on a worker thread; `done` gets the outcome once
  // the article is durable (or a duplicate, or rejected), or UNAVAILABLE
  // when the store failed or the intake is shut down. A REJECTED article is
  // a result, not an error.
  //
  // With an `order`, the article is appended to the log in the turn
  // `ticket` (from order->Take()); every ticket taken must be submitted.
  void IngestAsync(relations::v1::Article article, Callback done,
                   std::shared_ptr<AppendOrder> order = nullptr, uint64_t ticket = 0);
  // Blocking form of IngestAsync.
  absl::StatusOr<IngestResult> Ingest(relations::v1::Article article);

  // Refuses new articles and waits until every accepted one has completed.
  void Shutdown();

 private:
  Intake(const IntakeOptions& options, EventLog* log, const extraction::Extractor* extractor);
  // Everything up to the append; completes `done` itself unless it returns
  // an append to make.
  void Process(relations::v1::Article article, Callback done, AppendOrder* order,
               uint64_t ticket);
  void Finished();

  IntakeOptions options_;
  EventLog* log_;
  const extraction::Extractor* extractor_;
  std::unique_ptr<WorkerPool> pool_;

  // std::mutex: TSan must see it (the Debian absl is not TSan-annotated).
  std::mutex mu_;
  std::condition_variable idle_cv_;
  size_t outstanding_ = 0;      // guarded by mu_
  bool shutting_down_ = false;  // guarded by mu_
};

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_INTAKE_H_
