// AnswerCache: the serialized answers of read RPCs, reused while the views
// have not moved since they were computed and the answer is still fresh.
//
// Why: readers (dashboards, analysts' tools, risk feeds polling a watch
// list) ask the same few questions about the same hot pairs over and over,
// and between two applied log events every answer is a pure function of the
// request, except for "now" (an unset as_of), which the time to live bounds.
// A hit costs a hash lookup and a reference to a refcounted gRPC slice, so a
// hot query is served at about the transport's own cost.
//
// Correctness: an entry is used only when the views' applied sequence equals
// the one read *before* the answer was computed. The applier moves the
// sequence only after its write is visible, so an answer may reflect a
// slightly newer state than its sequence says, never an older one: a reader
// never gets an answer older than the sequence it could observe.
#ifndef RELMON_QUERY_SERVICE_ANSWER_CACHE_H_
#define RELMON_QUERY_SERVICE_ANSWER_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/support/slice.h"

namespace relmon::query {

struct AnswerCacheOptions {
  // Budget of cached answers (keys and values); 0 disables the cache.
  size_t max_bytes = 64u << 20;
  // How long an answer stays fresh when the views do not move (answers
  // without as_of are "as of now").
  absl::Duration ttl = absl::Seconds(1);
  // Independent parts (each its own lock), chosen by the key's hash.
  int shards = 16;
};

class AnswerCache {
 public:
  explicit AnswerCache(AnswerCacheOptions options);

  bool enabled() const { return options_.max_bytes > 0; }

  // The answer stored for `key` when it was computed at `applied_sequence`
  // and is younger than the time to live.
  std::optional<grpc::Slice> Lookup(absl::string_view key, uint64_t applied_sequence,
                                    absl::Time now);
  // Stores `answer` for `key`, computed at `applied_sequence` (read before
  // computing it). Entries of older sequences in the same shard are dropped
  // (they can never be used again); the least recently used go when the
  // budget is exceeded. An answer larger than a shard's budget is not kept.
  void Insert(absl::string_view key, uint64_t applied_sequence, absl::Time now,
              const grpc::Slice& answer);

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t entries = 0;
    uint64_t bytes = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    uint64_t sequence = 0;
    absl::Time computed_at;
    grpc::Slice answer;
    std::list<std::string>::iterator lru;  // position in Shard::lru
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
    std::list<std::string> lru ABSL_GUARDED_BY(mu);  // front: most recent
    uint64_t sequence ABSL_GUARDED_BY(mu) = 0;       // newest sequence inserted
    size_t bytes ABSL_GUARDED_BY(mu) = 0;
  };

  Shard& ShardOf(absl::string_view key);
  static size_t Cost(absl::string_view key, const grpc::Slice& answer);
  void EraseLocked(Shard& shard, absl::flat_hash_map<std::string, Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  AnswerCacheOptions options_;
  size_t shard_budget_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace relmon::query

#endif  // RELMON_QUERY_SERVICE_ANSWER_CACHE_H_
