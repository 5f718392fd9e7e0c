#include "ingest-service/event_log.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "index_record.pb.h"
#include "rocksdb/cache.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace relmon::ingest {
namespace {

constexpr char kLogFamily[] = "log";
constexpr char kArticlesFamily[] = "articles";
constexpr char kContentFamily[] = "content";
constexpr char kMetaFamily[] = "meta";
constexpr char kFormatVersionKey[] = "format_version";
// Bump when a key or value layout changes incompatibly.
constexpr char kFormatVersion[] = "1";

// RocksDB's own diagnostics go to the service's log instead of a LOG file
// in the data dir: that file fails on a full or read-only disk like the rest
// of the dir, and Debian's RocksDB (built with assertions) aborts the process
// on the next line logged after a failed LOG append
// (WritableFileWriter::AssertFalseAndGetStatusForPrevError). Info lines are
// written at debug level.
class ServiceLogForRocks final : public rocksdb::Logger {
 public:
  ServiceLogForRocks() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[2048];
    std::vsnprintf(line, sizeof(line), format, ap);
    LogLevel ours = LogLevel::kDebug;
    if (level == rocksdb::InfoLogLevel::WARN_LEVEL) ours = LogLevel::kWarning;
    if (level == rocksdb::InfoLogLevel::ERROR_LEVEL || level == rocksdb::InfoLogLevel::FATAL_LEVEL) {
      ours = LogLevel::kError;
    }
    Log(ours, "rocksdb", {{"detail", line}});
  }
};

// Marks the I/O errors of writes as retryable. RocksDB classes a failed WAL
// write with a plain I/O error (EPERM, EROFS, EIO: a read-only or failing
// disk) as fatal, which only a reopen clears; a retryable one is a hard
// error that DB::Resume() clears once the disk takes writes again, as a
// full disk (NoSpace) already is. Every acknowledged write was synced
// before, and Resume flushes the memtables to new files and starts a new
// WAL, so the failed one is never appended to again.
rocksdb::IOStatus Recoverable(rocksdb::IOStatus s) {
  if (s.IsIOError() && !s.IsNoSpace()) s.SetRetryable(true);
  return s;
}

class RecoverableWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  using FSWritableFileOwnerWrapper::FSWritableFileOwnerWrapper;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Append(data, o, dbg));
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Append(data, o, info, dbg));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, info, dbg));
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Truncate(size, o, dbg));
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Close(o, dbg));
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Flush(o, dbg));
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Sync(o, dbg));
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::Fsync(o, dbg));
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    return Recoverable(FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, o, dbg));
  }
};

class RecoverableWriteErrors final : public rocksdb::FileSystemWrapper {
 public:
  using FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "RecoverableWriteErrors"; }
  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<RecoverableWritableFile>(std::move(*result));
    return Recoverable(s);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, result, dbg);
    if (s.ok()) *result = std::make_unique<RecoverableWritableFile>(std::move(*result));
    return Recoverable(s);
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    return Recoverable(target()->RenameFile(from, to, o, dbg));
  }
};

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  // I/O errors, a full disk, a lock held by another process: the store is
  // not available now; the caller may retry later.
  return absl::UnavailableError(message);
}

rocksdb::CompressionType PickCompression() {
  // LZ4 keeps the per-article cost low; fall back to what this build has.
  for (rocksdb::CompressionType t : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    for (rocksdb::CompressionType supported : rocksdb::GetSupportedCompressions()) {
      if (supported == t) return t;
    }
  }
  return rocksdb::kNoCompression;
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(t);
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return ts;
}

}  // namespace

std::string EncodeSequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(sequence & 0xff);
    sequence >>= 8;
  }
  return key;
}

bool DecodeSequenceKey(std::string_view key, uint64_t* sequence) {
  if (key.size() != 8) return false;
  uint64_t v = 0;
  for (unsigned char c : key) v = (v << 8) | c;
  *sequence = v;
  return true;
}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(const EventLogOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("event log path is empty");
  std::unique_ptr<EventLog> log(new EventLog());
  log->options_ = options;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Every acknowledged write was synced; after a crash recover up to the last
  // intact synced record and never invent or skip one.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.track_and_verify_wals_in_manifest = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  db_options.max_total_wal_size = 256 << 20;
  rocksdb::Env* base_env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  log->env_ = rocksdb::NewCompositeEnv(
      std::make_shared<RecoverableWriteErrors>(base_env->GetFileSystem()));
  db_options.env = log->env_.get();
  db_options.info_log = std::make_shared<ServiceLogForRocks>();

  std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(options.block_cache_bytes == 0 ? 8 << 20 : options.block_cache_bytes);

  auto family_options = [&](bool point_lookups) {
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = cache;
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    if (point_lookups) {
      // `articles` and `content` are probed once per article for duplicates.
      table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    }
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = options.write_buffer_bytes;
    cf.max_write_buffer_number = 3;
    cf.compression = PickCompression();
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
  };

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, family_options(false)},
      {kLogFamily, family_options(false)},
      {kArticlesFamily, family_options(true)},
      {kContentFamily, family_options(true)},
      {kMetaFamily, family_options(false)},
  };
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, families, &log->handles_, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("cannot open event log at ", options.path));
  log->db_.reset(raw);
  log->log_cf_ = log->handles_[1];
  log->articles_cf_ = log->handles_[2];
  log->content_cf_ = log->handles_[3];
  log->meta_cf_ = log->handles_[4];

  std::string version;
  s = log->db_->Get(rocksdb::ReadOptions(), log->meta_cf_, kFormatVersionKey, &version);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = log->db_->Put(wo, log->meta_cf_, kFormatVersionKey, kFormatVersion);
    if (!s.ok()) return FromRocks(s, "cannot write the event log format version");
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read the event log format version");
  } else if (version != kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("event log at ", options.path, " has format version ", version,
                     "; this build reads version ", kFormatVersion));
  }

  // The next sequence continues after the last stored key.
  {
    std::unique_ptr<rocksdb::Iterator> it(
        log->db_->NewIterator(rocksdb::ReadOptions(), log->log_cf_));
    it->SeekToLast();
    uint64_t last = 0;
    if (it->Valid()) {
      if (!DecodeSequenceKey(it->key().ToStringView(), &last)) {
        return absl::DataLossError("event log has a malformed last key");
      }
    } else if (!it->status().ok()) {
      return FromRocks(it->status(), "cannot read the end of the event log");
    }
    log->next_sequence_ = last + 1;
    log->last_sequence_.store(last, std::memory_order_release);
    std::lock_guard<std::mutex> lock(log->seq_mu_);
    log->committed_ = last;
  }

  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  LogInfo("event log opened",
          {{"path", options.path}, {"last_sequence", absl::StrCat(log->last_sequence())}});
  return log;
}

EventLog::~EventLog() {
  absl::Status s = Close();
  if (!s.ok()) LogError("event log close failed", {{"error", s.ToString()}});
}

void EventLog::AppendAsync(ArticleAppend append, AppendCallback done) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (!stopping_) {
      Pending p;
      p.approx_bytes = append.recorded.ByteSizeLong() + append.analyzed.ByteSizeLong();
      p.append = std::move(append);
      p.done = std::move(done);
      queue_.push_back(std::move(p));
      queue_cv_.notify_one();
      return;
    }
  }
  done(absl::UnavailableError("event log is closed"));
}

absl::StatusOr<AppendResult> EventLog::Append(ArticleAppend append) {
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  absl::StatusOr<AppendResult> result;
  AppendAsync(std::move(append), [&](absl::StatusOr<AppendResult> r) {
    std::lock_guard<std::mutex> lock(mu);
    result = std::move(r);
    finished = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return finished; });
  return result;
}

void EventLog::WriterLoop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping and drained
      size_t bytes = 0;
      while (!queue_.empty() && group.size() < options_.max_group_articles &&
             (group.empty() || bytes + queue_.front().approx_bytes <= options_.max_group_bytes)) {
        bytes += queue_.front().approx_bytes;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(group);
  }
}

void EventLog::CommitGroup(std::vector<Pending>& group) {
  if (last_write_failed_) {
    // After a failed write RocksDB may hold a background error that refuses
    // every later write; try to clear it so the store recovers once the
    // cause (a full disk) is gone.
    // Resume() is Busy while RocksDB's own recovery (started for a full
    // disk) runs; wait for it a little rather than fail the group at once.
    rocksdb::Status r = db_->Resume();
    for (int attempt = 0; r.IsBusy() && attempt < 5; ++attempt) {
      absl::SleepFor(absl::Milliseconds(20));
      r = db_->Resume();
    }
    if (!r.ok()) {
      // Writing again after a failed WAL write can trip RocksDB's own
      // assertions (sync_without_flush_called_) and abort the process;
      // refuse the group until Resume() succeeds (cf. RocksDB #12448).
      // Busy: RocksDB's own recovery is retrying (every second) and has not
      // succeeded yet; the cause is the last write error.
      const std::string why =
          r.IsBusy() ? absl::StrCat("still failing since: ", last_write_error_) : r.ToString();
      LogWarning("event log resume failed", {{"error", why}});
      for (Pending& p : group) {
        p.done(absl::UnavailableError(
            absl::StrCat("the event log cannot be written (", why, "); retry later")));
      }
      return;
    }
  }

  struct Outcome {
    absl::StatusOr<AppendResult> result;
    // True when the result only holds if this group's write succeeds.
    bool needs_commit = false;
  };
  std::vector<Outcome> outcomes(group.size());
  // What this group itself adds, so later members of the group see earlier ones.
  absl::flat_hash_map<std::string, StoredArticle> group_by_hash;
  absl::flat_hash_map<std::string, std::string> group_hash_by_id;

  rocksdb::WriteBatch batch;
  uint64_t sequence = next_sequence_;
  const google::protobuf::Timestamp recorded_at = ToProtoTime(absl::Now());

  for (size_t i = 0; i < group.size(); ++i) {
    ArticleAppend& a = group[i].append;
    if (a.analysis_only) {
      // A newer analysis of a stored article: one event, and the index's
      // last_sequence moves so a duplicate's answer points past it.
      AppendResult ra;
      ra.article_id = a.analyzed.article_id();
      absl::StatusOr<std::optional<StoredArticle>> stored = LookupIndex(ra.article_id);
      if (!stored.ok()) {
        outcomes[i].result = stored.status();
        continue;
      }
      if (!stored->has_value()) {
        outcomes[i].result =
            absl::NotFoundError(absl::StrCat("no stored article ", ra.article_id));
        continue;
      }
      relations::v1::LogEvent analyzed;
      analyzed.set_sequence(sequence);
      *analyzed.mutable_recorded_at() = recorded_at;
      *analyzed.mutable_article_analyzed() = std::move(a.analyzed);
      relmon::ingest::ArticleIndexRecord index;
      index.set_recorded_sequence((*stored)->recorded_sequence);
      index.set_last_sequence(sequence);
      index.set_content_hash((*stored)->content_hash);
      batch.Put(log_cf_, EncodeSequenceKey(sequence), analyzed.SerializeAsString());
      batch.Put(articles_cf_, ra.article_id, index.SerializeAsString());
      ra.outcome = AppendResult::Outcome::kAccepted;
      ra.sequence = sequence;
      outcomes[i] = {ra, true};
      sequence += 1;
      continue;
    }
    const std::string id = a.recorded.article().id();
    const std::string hash = a.recorded.content_hash();
    AppendResult r;
    r.article_id = id;

    if (auto it = group_by_hash.find(hash); it != group_by_hash.end()) {
      r.outcome = AppendResult::Outcome::kDuplicate;
      r.article_id = it->second.article_id;
      r.sequence = it->second.last_sequence;
      outcomes[i] = {r, true};
      continue;
    }
    absl::StatusOr<std::optional<StoredArticle>> by_hash = FindByContentHash(hash);
    if (!by_hash.ok()) {
      outcomes[i].result = by_hash.status();
      continue;
    }
    if (by_hash->has_value()) {
      r.outcome = AppendResult::Outcome::kDuplicate;
      r.article_id = (*by_hash)->article_id;
      r.sequence = (*by_hash)->last_sequence;
      outcomes[i].result = r;
      continue;
    }
    if (group_hash_by_id.contains(id)) {
      r.outcome = AppendResult::Outcome::kIdConflict;
      outcomes[i] = {r, true};
      continue;
    }
    absl::StatusOr<std::optional<StoredArticle>> by_id = LookupIndex(id);
    if (!by_id.ok()) {
      outcomes[i].result = by_id.status();
      continue;
    }
    if (by_id->has_value()) {
      r.outcome = AppendResult::Outcome::kIdConflict;
      outcomes[i].result = r;
      continue;
    }

    relations::v1::LogEvent recorded;
    recorded.set_sequence(sequence);
    *recorded.mutable_recorded_at() = recorded_at;
    *recorded.mutable_article_recorded() = std::move(a.recorded);
    relations::v1::LogEvent analyzed;
    analyzed.set_sequence(sequence + 1);
    *analyzed.mutable_recorded_at() = recorded_at;
    a.analyzed.set_article_id(id);
    *analyzed.mutable_article_analyzed() = std::move(a.analyzed);

    relmon::ingest::ArticleIndexRecord index;
    index.set_recorded_sequence(sequence);
    index.set_last_sequence(sequence + 1);
    index.set_content_hash(hash);

    batch.Put(log_cf_, EncodeSequenceKey(sequence), recorded.SerializeAsString());
    batch.Put(log_cf_, EncodeSequenceKey(sequence + 1), analyzed.SerializeAsString());
    batch.Put(articles_cf_, id, index.SerializeAsString());
    batch.Put(content_cf_, hash, id);

    group_by_hash[hash] = StoredArticle{id, sequence, sequence + 1, hash};
    group_hash_by_id[id] = hash;
    r.outcome = AppendResult::Outcome::kAccepted;
    r.sequence = sequence + 1;
    outcomes[i] = {r, true};
    sequence += 2;
  }

  if (batch.Count() > 0) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db_->Write(wo, &batch);
    if (s.ok()) {
      last_write_failed_ = false;
      next_sequence_ = sequence;
      const uint64_t last = sequence - 1;
      last_sequence_.store(last, std::memory_order_release);
      {
        std::lock_guard<std::mutex> lock(seq_mu_);
        committed_ = last;
      }
      seq_cv_.notify_all();
      std::lock_guard<std::mutex> lock(listeners_mu_);
      for (auto& [id, listener] : listeners_) listener(last);
    } else {
      last_write_failed_ = true;
      last_write_error_ = s.ToString();
      absl::Status error = FromRocks(s, "event log write failed");
      LogError("event log write failed",
               {{"error", s.ToString()}, {"articles", absl::StrCat(group.size())}});
      for (Outcome& o : outcomes) {
        if (o.needs_commit) o.result = absl::UnavailableError(error.message());
      }
    }
  }

  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(std::move(outcomes[i].result));
  }
}

absl::StatusOr<std::optional<std::string>> EventLog::GetMeta(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_cf_, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "cannot read meta");
  return std::optional<std::string>(std::move(value));
}

absl::Status EventLog::PutMeta(const std::string& key, const std::string& value) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, meta_cf_, key, value), "cannot write meta");
}

absl::StatusOr<uint64_t> EventLog::CreateCheckpoint(const std::string& directory) const {
  const uint64_t last = last_sequence();
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (s.ok()) s = checkpoint->CreateCheckpoint(directory);
  if (!s.ok()) return FromRocks(s, "checkpoint failed");
  return last;
}

absl::StatusOr<std::optional<StoredArticle>> EventLog::LookupIndex(
    const std::string& article_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), articles_cf_, article_id, &value);
  if (s.IsNotFound()) return std::optional<StoredArticle>();
  if (!s.ok()) return FromRocks(s, "cannot read the article index");
  relmon::ingest::ArticleIndexRecord index;
  if (!index.ParseFromString(value)) {
    return absl::DataLossError(absl::StrCat("malformed index record of article ", article_id));
  }
  return std::optional<StoredArticle>(StoredArticle{article_id, index.recorded_sequence(),
                                                    index.last_sequence(), index.content_hash()});
}

absl::StatusOr<std::optional<StoredArticle>> EventLog::FindByContentHash(
    const std::string& content_hash) const {
  std::string id;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), content_cf_, content_hash, &id);
  if (s.IsNotFound()) return std::optional<StoredArticle>();
  if (!s.ok()) return FromRocks(s, "cannot read the content index");
  absl::StatusOr<std::optional<StoredArticle>> stored = LookupIndex(id);
  if (stored.ok() && !stored->has_value()) {
    return absl::DataLossError(
        absl::StrCat("content index names article ", id, " which has no index record"));
  }
  return stored;
}

absl::StatusOr<std::optional<StoredArticle>> EventLog::FindById(
    const std::string& article_id) const {
  return LookupIndex(article_id);
}

absl::StatusOr<std::vector<relations::v1::LogEvent>> EventLog::ReadFrom(uint64_t from_sequence,
                                                                        size_t max_events,
                                                                        size_t max_bytes) const {
  std::vector<relations::v1::LogEvent> events;
  if (from_sequence == 0) from_sequence = 1;
  const uint64_t last = last_sequence();
  if (from_sequence > last || max_events == 0) return events;

  // Bound the scan by what is committed, so a reader never sees past the
  // position it was told about and RocksDB stops at the bound cheaply.
  const std::string upper = EncodeSequenceKey(last + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  ro.fill_cache = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, log_cf_));
  size_t bytes = 0;
  uint64_t expected = from_sequence;
  for (it->Seek(EncodeSequenceKey(from_sequence)); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    if (!DecodeSequenceKey(it->key().ToStringView(), &seq) || seq != expected) {
      return absl::DataLossError(absl::StrCat("event log is not dense at sequence ", expected));
    }
    const rocksdb::Slice value = it->value();
    if (!events.empty() && bytes + value.size() > max_bytes) break;
    relations::v1::LogEvent event;
    if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(absl::StrCat("malformed log event at sequence ", seq));
    }
    bytes += value.size();
    events.push_back(std::move(event));
    ++expected;
    if (events.size() >= max_events) break;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "cannot read the event log");
  return events;
}

bool EventLog::WaitForSequence(uint64_t sequence, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(seq_mu_);
  auto reached = [&] { return committed_ >= sequence || seq_closed_; };
  if (timeout == absl::InfiniteDuration()) {
    seq_cv_.wait(lock, reached);
  } else {
    seq_cv_.wait_for(lock, absl::ToChronoNanoseconds(std::max(timeout, absl::ZeroDuration())),
                     reached);
  }
  return committed_ >= sequence;
}

int EventLog::AddCommitListener(CommitListener listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  const int id = next_listener_id_++;
  listeners_[id] = std::move(listener);
  return id;
}

void EventLog::RemoveCommitListener(int id) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.erase(id);
}

absl::Status EventLog::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (closed_) return absl::OkStatus();
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> lock(seq_mu_);
    seq_closed_ = true;
  }
  seq_cv_.notify_all();
  absl::Status result;
  if (db_) {
    for (rocksdb::ColumnFamilyHandle* h : handles_) {
      rocksdb::Status s = db_->DestroyColumnFamilyHandle(h);
      if (!s.ok() && result.ok()) result = FromRocks(s, "cannot release a column family");
    }
    handles_.clear();
    rocksdb::Status s = db_->Close();
    if (!s.ok() && result.ok()) result = FromRocks(s, "cannot close the event log");
    db_.reset();
  }
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    closed_ = true;
  }
  LogInfo("event log closed");
  return result;
}

}  // namespace relmon::ingest
