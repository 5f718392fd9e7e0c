// ViewStore: the query service's RocksDB views and the applier that folds
// log events into them.
//
// Each column family holds one view (layouts in docs/storage-query.md).
// Apply() writes a group of consecutive log events and the cursor in one
// WriteBatch, so a restart neither skips nor double-applies an event.
// Materialised records (clustered events, agreements, disputes) are
// recomputed from the full, sorted set of their stored inputs whenever one
// input changes, so the views are a function of the set of articles: any
// ingest order, and a rebuild from the log, give the same bytes.
#ifndef RELMON_QUERY_SERVICE_VIEW_STORE_H_
#define RELMON_QUERY_SERVICE_VIEW_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "relations/v1/log.pb.h"
#include "rocksdb/db.h"

namespace relmon::query {

// The column families. kCursor holds the applied log position; the others
// are views (kArticleFacts, kEventReports, kAgreementMentions, kFigures and
// kFigureIndex hold inputs; kDyadEvents, kAgreements, kDisputes hold records
// derived from them).
enum class View : int {
  kCursor = 0,
  kArticles,
  kArticleFacts,
  kEventReports,
  kDyadEvents,
  kAgreementMentions,
  kAgreementKeys,
  kAgreements,
  kFigures,
  kFigureIndex,
  kDisputes,
  kCount,
};

// Column family name of a view ("dyad_events").
const char* ViewName(View view);

struct ViewStoreOptions {
  // Directory of the database (created if missing).
  std::string path;
  // Shared block cache size.
  int block_cache_mb = 64;
  // Drop every view and the cursor: the follower starts again at sequence 1.
  bool rebuild = false;
};

class ViewStore {
 public:
  static absl::StatusOr<std::unique_ptr<ViewStore>> Open(const ViewStoreOptions& options);
  ~ViewStore();

  // Last log sequence whose effects are in the views (0: none).
  uint64_t applied_sequence() const;

  // Applies `events`, which must start at applied_sequence() + 1 and be
  // consecutive, together with the new cursor, in one atomic write.
  // FailedPrecondition (and nothing written) on a gap or overlap.
  absl::Status Apply(const std::vector<relations::v1::LogEvent>& events);

  // Blocks until applied_sequence() >= sequence or `deadline`; returns
  // whether the sequence was reached.
  bool WaitForSequence(uint64_t sequence, absl::Time deadline) const;

  // Point read; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Get(View view, absl::string_view key) const;

  // Visits keys in [start, limit) in order (limit empty: to the end) until
  // `visit` returns false. Reads one consistent snapshot.
  absl::Status Scan(
      View view, absl::string_view start, absl::string_view limit,
      const std::function<bool(absl::string_view key, absl::string_view value)>& visit) const;

  // Every key/value of every view (not the cursor), for tests and tools.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> DumpViews() const;

  // Storage key of a figure (article id + the extractor's figure id).
  static std::string FigureKey(absl::string_view article_id, absl::string_view figure_id);

 private:
  class Batch;
  ViewStore() = default;
  rocksdb::ColumnFamilyHandle* cf(View v) const { return handles_[static_cast<int>(v)]; }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;        // indexed by View
  std::vector<rocksdb::ColumnFamilyHandle*> other_handles_;  // default and unknown families
  absl::Mutex write_mu_;                                     // one Apply at a time
  mutable absl::Mutex seq_mu_;
  uint64_t applied_sequence_ ABSL_GUARDED_BY(seq_mu_) = 0;
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_VIEW_STORE_H_
