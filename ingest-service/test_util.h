// Test helpers of the ingest service: temporary directories and a file
// system that fails WAL writes on demand (a full disk).
#ifndef RELMON_INGEST_TEST_UTIL_H_
#define RELMON_INGEST_TEST_UTIL_H_

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rocksdb/file_system.h"

namespace relmon::ingest::testing_util {

// A fresh directory under the test temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = absl::StrCat(::testing::TempDir(), "/relmon_ingest_XXXXXX");
    char* made = mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A file system whose WAL writes fail on demand, like a full disk.
class FailingWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingWalFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "FailingWalFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && name.size() > 4 && name.substr(name.size() - 4) == ".log") {
      *result = std::make_unique<FailingFile>(std::move(*result), &fail_);
    }
    return s;
  }

  void set_fail(bool fail) { fail_.store(fail); }

 private:
  class FailingFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    FailingFile(std::unique_ptr<rocksdb::FSWritableFile> base, std::atomic<bool>* fail)
        : FSWritableFileOwnerWrapper(std::move(base)), fail_(fail) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fail_->load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fail_->load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fail_->load()) return rocksdb::IOStatus::NoSpace("injected: disk full");
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }

   private:
    std::atomic<bool>* fail_;
  };

  std::atomic<bool> fail_{false};
};

}  // namespace relmon::ingest::testing_util

#endif  // RELMON_INGEST_TEST_UTIL_H_
