// StateStore: what the follower has had acknowledged, kept in
// STATE_DIR/follower-state.json so that a restart neither misses nor
// re-sends: item keys seen per feed (bounded, newest kept), each feed's
// ETag/Last-Modified, and the watched directory's processed file names.
// Kafka positions are not here: Kafka keeps committed offsets itself.
#ifndef RELMON_FEED_FOLLOWER_STATE_STORE_H_
#define RELMON_FEED_FOLLOWER_STATE_STORE_H_

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace relmon::feeds {

struct FeedValidators {
  std::string etag;
  std::string last_modified;
};

class StateStore {
 public:
  // Creates the directory if needed and loads the state file if present
  // (a corrupt file is an error, not silently an empty state).
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(const std::string& dir,
                                                         size_t max_seen_per_feed = 10000);

  bool Seen(const std::string& feed, const std::string& key) const;
  // Remembers a key; the oldest keys beyond the bound are forgotten (a feed
  // lists its latest items, so old keys never come back in practice, and if
  // one does the ingest service answers DUPLICATE).
  void MarkSeen(const std::string& feed, const std::string& key);
  size_t SeenCount(const std::string& feed) const;

  FeedValidators Validators(const std::string& feed) const;
  void SetValidators(const std::string& feed, FeedValidators validators);

  bool FileProcessed(const std::string& name) const;
  void MarkFileProcessed(const std::string& name);
  // Drops names not in `present` (files deleted from the directory).
  void RetainFiles(const std::set<std::string>& present);

  // Writes the state atomically: temp file, fsync, rename, fsync of the
  // directory. No-op when nothing changed since the last save.
  absl::Status Save();

  const std::string& path() const { return path_; }

 private:
  struct FeedState {
    FeedValidators validators;
    std::deque<std::string> order;
    absl::flat_hash_set<std::string> keys;
  };
  StateStore(std::string dir, size_t max_seen) : dir_(std::move(dir)), max_seen_(max_seen) {}
  absl::Status Load();

  const std::string dir_;
  std::string path_;
  const size_t max_seen_;
  mutable absl::Mutex mu_;
  std::map<std::string, FeedState> feeds_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> files_ ABSL_GUARDED_BY(mu_);
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
};

// Writes `contents` to `path` atomically (temp + fsync + rename + dir fsync).
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_STATE_STORE_H_
