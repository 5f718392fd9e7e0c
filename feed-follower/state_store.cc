#include "feed-follower/state_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace relmon::feeds {
namespace {

constexpr char kStateFile[] = "follower-state.json";
constexpr int kStateVersion = 1;

absl::Status ErrnoError(const std::string& what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(absl::StrCat("open ", temp));
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = ErrnoError(absl::StrCat("write ", temp));
      ::close(fd);
      ::unlink(temp.c_str());
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    absl::Status s = ErrnoError(absl::StrCat("fsync ", temp));
    ::close(fd);
    ::unlink(temp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status s = ErrnoError(absl::StrCat("rename ", temp));
    ::unlink(temp.c_str());
    return s;
  }
  // The rename itself must survive a crash: sync the directory entry.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir, size_t max_seen_per_feed) {
  if (dir.empty()) return absl::InvalidArgumentError("--state_dir is required");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create state dir ", dir, ": ", ec.message()));
  std::unique_ptr<StateStore> store(new StateStore(dir, max_seen_per_feed == 0 ? 1 : max_seen_per_feed));
  store->path_ = absl::StrCat(dir, "/", kStateFile);
  if (absl::Status s = store->Load(); !s.ok()) return s;
  return store;
}

absl::Status StateStore::Load() {
  std::ifstream in(path_);
  if (!in) return absl::OkStatus();  // first run
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(buffer.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat(path_, " is not valid JSON; move it away to start afresh"));
  }
  absl::MutexLock lock(&mu_);
  if (j.contains("feeds") && j["feeds"].is_object()) {
    for (auto& [url, f] : j["feeds"].items()) {
      if (!f.is_object()) continue;
      FeedState& state = feeds_[url];
      state.validators.etag = f.value("etag", "");
      state.validators.last_modified = f.value("last_modified", "");
      if (f.contains("seen") && f["seen"].is_array()) {
        for (const auto& key : f["seen"]) {
          if (!key.is_string()) continue;
          std::string k = key.get<std::string>();
          if (state.keys.insert(k).second) state.order.push_back(k);
        }
      }
      while (state.order.size() > max_seen_) {
        state.keys.erase(state.order.front());
        state.order.pop_front();
      }
    }
  }
  if (j.contains("files") && j["files"].is_array()) {
    for (const auto& name : j["files"]) {
      if (name.is_string()) files_.insert(name.get<std::string>());
    }
  }
  return absl::OkStatus();
}

bool StateStore::Seen(const std::string& feed, const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = feeds_.find(feed);
  return it != feeds_.end() && it->second.keys.contains(key);
}

void StateStore::MarkSeen(const std::string& feed, const std::string& key) {
  absl::MutexLock lock(&mu_);
  FeedState& state = feeds_[feed];
  if (!state.keys.insert(key).second) return;
  state.order.push_back(key);
  while (state.order.size() > max_seen_) {
    state.keys.erase(state.order.front());
    state.order.pop_front();
  }
  dirty_ = true;
}

size_t StateStore::SeenCount(const std::string& feed) const {
  absl::MutexLock lock(&mu_);
  auto it = feeds_.find(feed);
  return it == feeds_.end() ? 0 : it->second.order.size();
}

FeedValidators StateStore::Validators(const std::string& feed) const {
  absl::MutexLock lock(&mu_);
  auto it = feeds_.find(feed);
  return it == feeds_.end() ? FeedValidators{} : it->second.validators;
}

void StateStore::SetValidators(const std::string& feed, FeedValidators validators) {
  absl::MutexLock lock(&mu_);
  FeedValidators& current = feeds_[feed].validators;
  if (current.etag == validators.etag && current.last_modified == validators.last_modified) return;
  current = std::move(validators);
  dirty_ = true;
}

bool StateStore::FileProcessed(const std::string& name) const {
  absl::MutexLock lock(&mu_);
  return files_.count(name) > 0;
}

void StateStore::MarkFileProcessed(const std::string& name) {
  absl::MutexLock lock(&mu_);
  if (files_.insert(name).second) dirty_ = true;
}

void StateStore::RetainFiles(const std::set<std::string>& present) {
  absl::MutexLock lock(&mu_);
  for (auto it = files_.begin(); it != files_.end();) {
    if (present.count(*it) == 0) {
      it = files_.erase(it);
      dirty_ = true;
    } else {
      ++it;
    }
  }
}

absl::Status StateStore::Save() {
  std::string contents;
  {
    absl::MutexLock lock(&mu_);
    if (!dirty_) return absl::OkStatus();
    nlohmann::json j;
    j["version"] = kStateVersion;
    j["feeds"] = nlohmann::json::object();
    for (const auto& [url, state] : feeds_) {
      nlohmann::json f;
      f["etag"] = state.validators.etag;
      f["last_modified"] = state.validators.last_modified;
      f["seen"] = nlohmann::json::array();
      for (const std::string& key : state.order) f["seen"].push_back(key);
      j["feeds"][url] = std::move(f);
    }
    j["files"] = nlohmann::json::array();
    for (const std::string& name : files_) j["files"].push_back(name);
    contents = j.dump(1);
    dirty_ = false;
  }
  absl::Status s = WriteFileAtomically(path_, contents);
  if (!s.ok()) {
    absl::MutexLock lock(&mu_);
    dirty_ = true;
  }
  return s;
}

}  // namespace relmon::feeds
