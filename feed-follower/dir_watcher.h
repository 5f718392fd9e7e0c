// DirWatcher: reports files that became complete in one directory
// (inotify IN_CLOSE_WRITE and IN_MOVED_TO), plus those already there.
#ifndef RELMON_FEED_FOLLOWER_DIR_WATCHER_H_
#define RELMON_FEED_FOLLOWER_DIR_WATCHER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace relmon::feeds {

class DirWatcher {
 public:
  static absl::StatusOr<std::unique_ptr<DirWatcher>> Create(const std::string& dir);
  ~DirWatcher();

  const std::string& dir() const { return dir_; }
  // Regular files now in the directory, sorted by name.
  std::vector<std::string> ExistingFiles() const;
  // Names of files completed since the last call (never blocks). Names may
  // repeat (a file rewritten); the caller decides what it has seen.
  absl::StatusOr<std::vector<std::string>> ReadEvents();
  int fd() const { return fd_; }

 private:
  DirWatcher(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  std::string dir_;
  int fd_;
};

// Whether the follower ingests a file of this name (.txt and .jsonl, not
// hidden files such as editors' and rsync's temporaries).
bool IsIngestibleName(const std::string& name);

}  // namespace relmon::feeds

#endif  // RELMON_FEED_FOLLOWER_DIR_WATCHER_H_
