// EventLog: the ingest service's durable, ordered log of LogEvents in RocksDB.
//
// Each accepted article is appended as an ArticleRecorded event followed by
// an ArticleAnalyzed event with consecutive dense sequences (from 1), both in
// one synced WriteBatch together with the article's index entries. Appends
// from all callers go through one writer thread that commits a whole group of
// pending appends per synced write (group commit): one fsync for many
// articles, and duplicate detection that sees every earlier article of the
// group, so two concurrent identical texts give one acceptance and one
// duplicate. A caller's callback runs only after the synced write returned;
// on a write error every caller of the group gets UNAVAILABLE and nothing of
// the group is visible (the sequence counter does not move).
//
// Column families (see docs/storage.md): `log` (sequence -> LogEvent),
// `articles` (article id -> ArticleIndexRecord), `content` (content hash ->
// article id), `meta` (format version).
#ifndef RELMON_INGEST_EVENT_LOG_H_
#define RELMON_INGEST_EVENT_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "relations/v1/log.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace relmon::ingest {

struct EventLogOptions {
  // Directory of the RocksDB database (created if missing).
  std::string path;
  // LRU block cache shared by all column families.
  size_t block_cache_bytes = size_t{64} << 20;
  // Memtable size per column family.
  size_t write_buffer_bytes = size_t{32} << 20;
  // Most appends committed by one synced write.
  size_t max_group_articles = 512;
  // Rough cap on the bytes of one group's WriteBatch.
  size_t max_group_bytes = size_t{32} << 20;
  // Environment override (tests inject failing file systems); null: default.
  rocksdb::Env* env = nullptr;
};

// One article to append: its ArticleRecorded (article.id and content_hash
// set) and its ArticleAnalyzed.
struct ArticleAppend {
  relations::v1::ArticleRecorded recorded;
  relations::v1::ArticleAnalyzed analyzed;
  // Re-analysis (see reanalyzer.h): append only `analyzed`, as one event, for
  // an article already stored (`recorded` is ignored; an unknown article is
  // NOT_FOUND). It goes through the same group commit as new articles.
  bool analysis_only = false;
};

// What the log did with one append.
struct AppendResult {
  enum class Outcome {
    // Written: `sequence` is the last sequence of its batch.
    kAccepted,
    // The same content is already stored: `article_id` and `sequence` are
    // the original's. Nothing was written.
    kDuplicate,
    // The id already names an article with different content. Nothing was
    // written; `article_id` is the requested id.
    kIdConflict,
  };
  Outcome outcome = Outcome::kAccepted;
  std::string article_id;
  uint64_t sequence = 0;
};

// What the log knows of one stored article.
struct StoredArticle {
  std::string article_id;
  uint64_t recorded_sequence = 0;
  uint64_t last_sequence = 0;
  std::string content_hash;
};

class EventLog {
 public:
  // Runs on the writer thread after the group's synced write returned; keep
  // it short (hand work off, never block).
  using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;
  // Called on the writer thread with the new last sequence after each
  // successful commit.
  using CommitListener = std::function<void(uint64_t last_sequence)>;

  // Opens (or creates) the log and starts the writer thread. The next
  // sequence continues after the last stored one.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(const EventLogOptions& options);
  ~EventLog();

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Queues an append; `done` runs once it is durable, found a duplicate, or
  // failed. After Close(), `done` gets UNAVAILABLE at once.
  void AppendAsync(ArticleAppend append, AppendCallback done);
  // Blocking form of AppendAsync.
  absl::StatusOr<AppendResult> Append(ArticleAppend append);

  // Committed lookups (for a cheap duplicate check before extraction; the
  // writer re-checks authoritatively).
  absl::StatusOr<std::optional<StoredArticle>> FindByContentHash(
      const std::string& content_hash) const;
  absl::StatusOr<std::optional<StoredArticle>> FindById(const std::string& article_id) const;

  // Committed events with sequence >= from_sequence, in order: at most
  // max_events, and stopping once max_bytes of serialized events are
  // collected (at least one event is returned when any is available).
  absl::StatusOr<std::vector<relations::v1::LogEvent>> ReadFrom(uint64_t from_sequence,
                                                                size_t max_events,
                                                                size_t max_bytes) const;

  // The `meta` column family: small operator state (a re-analysis job's
  // progress). PutMeta is a synced write outside the group commit; it never
  // touches the log.
  absl::StatusOr<std::optional<std::string>> GetMeta(const std::string& key) const;
  absl::Status PutMeta(const std::string& key, const std::string& value);

  // A RocksDB checkpoint (consistent snapshot of every column family, hard
  // links where possible) in `directory`, which must not exist. Returns a
  // sequence the checkpoint holds at least (it holds a dense prefix of the
  // log, as every group is one atomic write).
  absl::StatusOr<uint64_t> CreateCheckpoint(const std::string& directory) const;

  // Last committed sequence (0 while the log is empty).
  uint64_t last_sequence() const { return last_sequence_.load(std::memory_order_acquire); }
  // Waits until last_sequence() >= sequence or the timeout passes or the log
  // closes; true when reached.
  bool WaitForSequence(uint64_t sequence, absl::Duration timeout) const;

  // Live followers: the listener is called after every commit. Remove waits
  // for a running call of that listener to return.
  int AddCommitListener(CommitListener listener);
  void RemoveCommitListener(int id);

  // Finishes the queued appends, stops the writer, closes the database.
  // Idempotent; the destructor calls it.
  absl::Status Close();

 private:
  struct Pending {
    ArticleAppend append;
    AppendCallback done;
    size_t approx_bytes = 0;
  };

  EventLog() = default;
  void WriterLoop();
  void CommitGroup(std::vector<Pending>& group);
  absl::StatusOr<std::optional<StoredArticle>> LookupIndex(const std::string& article_id) const;

  EventLogOptions options_;
  // The file system RocksDB writes through (declared before db_, which uses
  // it until closed); see RecoverableWriteErrors in event_log.cc.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* articles_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* content_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;

  // Sequence of the next event; only the writer thread touches it.
  uint64_t next_sequence_ = 1;
  // Whether the last write failed (the writer then asks RocksDB to resume).
  bool last_write_failed_ = false;
  // What the last failed write said (writer thread only).
  std::string last_write_error_;
  std::atomic<uint64_t> last_sequence_{0};

  // std::mutex rather than absl::Mutex throughout: the Debian absl is not
  // built with TSan annotations, and TSan must see this synchronisation.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;  // guarded by queue_mu_
  bool stopping_ = false;      // guarded by queue_mu_
  bool closed_ = false;        // guarded by queue_mu_

  // Waiting on commits.
  mutable std::mutex seq_mu_;
  mutable std::condition_variable seq_cv_;
  uint64_t committed_ = 0;   // guarded by seq_mu_
  bool seq_closed_ = false;  // guarded by seq_mu_

  std::mutex listeners_mu_;
  std::map<int, CommitListener> listeners_;  // guarded by listeners_mu_
  int next_listener_id_ = 1;                 // guarded by listeners_mu_

  std::thread writer_;
  std::mutex close_mu_;
};

// Key of the `log` column family: 8-byte big-endian sequence, so that keys
// sort in log order.
std::string EncodeSequenceKey(uint64_t sequence);
bool DecodeSequenceKey(std::string_view key, uint64_t* sequence);

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_EVENT_LOG_H_
