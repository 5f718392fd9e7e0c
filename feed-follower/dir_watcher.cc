#include "feed-follower/dir_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace relmon::feeds {

bool IsIngestibleName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  return absl::EndsWith(name, ".txt") || absl::EndsWith(name, ".jsonl");
}

absl::StatusOr<std::unique_ptr<DirWatcher>> DirWatcher::Create(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("--watch_dir ", dir, " is not a directory"));
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("inotify_init1: ", std::strerror(errno)));
  // Only completed files: written and closed, or moved in (the atomic way
  // of dropping a file). IN_CREATE would see half-written files.
  if (inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("inotify_add_watch ", dir, ": ", error));
  }
  return std::unique_ptr<DirWatcher>(new DirWatcher(dir, fd));
}

DirWatcher::~DirWatcher() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> DirWatcher::ExistingFiles() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.is_regular_file(ec)) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::vector<std::string>> DirWatcher::ReadEvents() {
  std::vector<std::string> names;
  alignas(struct inotify_event) char buffer[64 * 1024];
  while (true) {
    ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("read inotify: ", std::strerror(errno)));
    }
    if (n == 0) break;
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<struct inotify_event*>(p);
      if (event->mask & IN_Q_OVERFLOW) {
        // Events were lost: rescan so nothing is missed.
        for (std::string& name : ExistingFiles()) names.push_back(std::move(name));
      } else if (event->len > 0 && !(event->mask & IN_ISDIR)) {
        names.emplace_back(event->name);
      }
      p += sizeof(struct inotify_event) + event->len;
    }
  }
  return names;
}

}  // namespace relmon::feeds
