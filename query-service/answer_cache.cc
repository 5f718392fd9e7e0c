#include "query-service/answer_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

namespace relmon::query {

AnswerCache::AnswerCache(AnswerCacheOptions options) : options_(std::move(options)) {
  options_.shards = std::max(1, options_.shards);
  shard_budget_ = options_.max_bytes / static_cast<size_t>(options_.shards);
  for (int i = 0; i < options_.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

AnswerCache::Shard& AnswerCache::ShardOf(absl::string_view key) {
  return *shards_[absl::HashOf(key) % shards_.size()];
}

size_t AnswerCache::Cost(absl::string_view key, const grpc::Slice& answer) {
  // Two copies of the key (map and LRU list) plus bookkeeping.
  return 2 * key.size() + answer.size() + 128;
}

void AnswerCache::EraseLocked(Shard& shard, absl::flat_hash_map<std::string, Entry>::iterator it) {
  shard.bytes -= Cost(it->first, it->second.answer);
  shard.lru.erase(it->second.lru);
  shard.entries.erase(it);
}

std::optional<grpc::Slice> AnswerCache::Lookup(absl::string_view key, uint64_t applied_sequence,
                                               absl::Time now) {
  if (!enabled()) return std::nullopt;
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end() || it->second.sequence != applied_sequence ||
      now - it->second.computed_at >= options_.ttl) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second.lru);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.answer;
}

void AnswerCache::Insert(absl::string_view key, uint64_t applied_sequence, absl::Time now,
                         const grpc::Slice& answer) {
  if (!enabled()) return;
  const size_t cost = Cost(key, answer);
  if (cost > shard_budget_) return;
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  if (applied_sequence < shard.sequence) return;  // computed before a newer answer
  if (applied_sequence > shard.sequence) {
    // The views moved: nothing stored before can be used again.
    shard.entries.clear();
    shard.lru.clear();
    shard.bytes = 0;
    shard.sequence = applied_sequence;
  }
  if (auto it = shard.entries.find(key); it != shard.entries.end()) EraseLocked(shard, it);
  while (shard.bytes + cost > shard_budget_ && !shard.lru.empty()) {
    EraseLocked(shard, shard.entries.find(shard.lru.back()));
  }
  shard.lru.emplace_front(key);
  Entry entry;
  entry.sequence = applied_sequence;
  entry.computed_at = now;
  entry.answer = answer;
  entry.lru = shard.lru.begin();
  shard.entries.emplace(std::string(key), std::move(entry));
  shard.bytes += cost;
}

AnswerCache::Stats AnswerCache::stats() const {
  Stats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    stats.entries += shard->entries.size();
    stats.bytes += shard->bytes;
  }
  return stats;
}

}  // namespace relmon::query
