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

#include <atomic>
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
  // Per (pair, type, year): the skeletons (id, date, weight, flags) of the
  // clustered events in kDyadEvents. Lets the applier replace a group's
  // events without reading them, and GetRelationsState score a pair
  // without parsing every event's citations.
  kEventGroups,
  // Filters of the list RPCs, so a filtered page reads only what it returns
  // (keys only, values empty; see docs/storage-query.md):
  //   A\0status\0agreement_id, a\0party\0agreement_id,
  //   b\0party\0status\0agreement_id, d\0party\0dispute_key.
  kListIndex,
  kCount,
};

// Column family name of a view ("dyad_events").
const char* ViewName(View view);

// Version of the stored layouts. A store written with another version is
// dropped and rebuilt from the log on open (as --rebuild does).
// 3: undated events grouped per article (event_groups "~|AA|BB|tt|article").
inline constexpr int kViewSchemaVersion = 3;

// The event_groups key of a pair's (type, year) group: "AZ|IR|04|2023";
// for `year` "~|article_id" (one article's undated events, which never
// cluster), "~|AZ|IR|04|article_id".
std::string EventGroupKey(absl::string_view dyad, relations::v1::EventType type,
                          absl::string_view year);
// The skeleton kept in event_groups of a clustered event: every field the
// relations model reads (event_id, type, occurred_at, date_precision,
// weight, retrospective) and nothing else.
relations::v1::Event EventSkeleton(const relations::v1::Event& event);
// Two-digit text of an agreement status, as in list_index keys.
std::string StatusKey(relations::v1::AgreementStatus status);
// The list_index keys of a stored agreement / dispute (`dispute_key`: its
// key in the disputes view).
std::vector<std::string> AgreementListIndexKeys(const relations::v1::Agreement& agreement);
std::vector<std::string> DisputeListIndexKeys(const relations::v1::DisputedFigure& dispute,
                                              absl::string_view dispute_key);
// The dyad_events key of a clustered event (or of its skeleton).
std::string DyadEventKey(absl::string_view dyad, const relations::v1::Event& event);

struct ViewStoreOptions {
  // Directory of the database (created if missing).
  std::string path;
  // Shared block cache size (data, index and filter blocks).
  int block_cache_mb = 64;
  // Budget of all memtables together (a rocksdb::WriteBufferManager charged
  // to the block cache, which grows by this much).
  int write_buffer_mb = 64;
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
  // Waiters of WaitForSequence block on seq_mu_; readers of the cursor only
  // load the atomic (every request reads it: no lock on the hot path).
  mutable absl::Mutex seq_mu_;
  std::atomic<uint64_t> applied_sequence_{0};
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_VIEW_STORE_H_
