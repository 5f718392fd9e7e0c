#include "ingest-service/event_log.h"

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/article_checks.h"
#include "ingest-service/test_util.h"
#include "rocksdb/env.h"

namespace relmon::ingest {
namespace {

using testing_util::FailingWalFileSystem;
using testing_util::TempDir;
using Outcome = AppendResult::Outcome;

ArticleAppend MakeAppend(const std::string& id, const std::string& text) {
  ArticleAppend a;
  a.recorded.mutable_article()->set_id(id);
  a.recorded.mutable_article()->set_text(text);
  a.recorded.set_content_hash(ContentHash(text));
  a.analyzed.set_extractor_version("test");
  return a;
}

std::unique_ptr<EventLog> OpenLog(const std::string& path, rocksdb::Env* env = nullptr) {
  EventLogOptions options;
  options.path = path;
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 4 << 20;
  options.env = env;
  absl::StatusOr<std::unique_ptr<EventLog>> log = EventLog::Open(options);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? std::move(*log) : nullptr;
}

// Every event from 1 to last_sequence(), checking density and pairing.
std::vector<relations::v1::LogEvent> ReadAll(const EventLog& log) {
  absl::StatusOr<std::vector<relations::v1::LogEvent>> events =
      log.ReadFrom(1, 1 << 30, size_t{1} << 40);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return {};
  for (size_t i = 0; i < events->size(); ++i) {
    const relations::v1::LogEvent& e = (*events)[i];
    EXPECT_EQ(e.sequence(), i + 1);
    if (i % 2 == 0) {
      EXPECT_TRUE(e.has_article_recorded()) << "sequence " << e.sequence();
    } else {
      EXPECT_TRUE(e.has_article_analyzed()) << "sequence " << e.sequence();
      EXPECT_EQ(e.article_analyzed().article_id(),
                (*events)[i - 1].article_recorded().article().id());
    }
    EXPECT_TRUE(e.has_recorded_at());
  }
  return *events;
}

TEST(SequenceKeyTest, BigEndianSortsInLogOrder) {
  EXPECT_EQ(EncodeSequenceKey(1), std::string("\0\0\0\0\0\0\0\x01", 8));
  EXPECT_LT(EncodeSequenceKey(255), EncodeSequenceKey(256));
  uint64_t v = 0;
  ASSERT_TRUE(DecodeSequenceKey(EncodeSequenceKey(0x0102030405060708ULL), &v));
  EXPECT_EQ(v, 0x0102030405060708ULL);
  EXPECT_FALSE(DecodeSequenceKey("short", &v));
}

TEST(EventLogTest, AppendsDenseSequencesFromOne) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->last_sequence(), 0u);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<AppendResult> r =
        log->Append(MakeAppend(absl::StrCat("id", i), absl::StrCat("text ", i)));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->outcome, Outcome::kAccepted);
    EXPECT_EQ(r->article_id, absl::StrCat("id", i));
    EXPECT_EQ(r->sequence, 2u * (i + 1));  // the last event of the batch
  }
  EXPECT_EQ(log->last_sequence(), 6u);
  std::vector<relations::v1::LogEvent> events = ReadAll(*log);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].article_recorded().article().id(), "id1");
  EXPECT_EQ(events[2].article_recorded().content_hash(), ContentHash("text 1"));

  absl::StatusOr<std::optional<StoredArticle>> stored = log->FindById("id2");
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ((*stored)->recorded_sequence, 5u);
  EXPECT_EQ((*stored)->last_sequence, 6u);
}

TEST(EventLogTest, ReadFromHonoursStartAndLimits) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(log->Append(MakeAppend(absl::StrCat("id", i), absl::StrCat("t", i))).ok());
  auto events = log->ReadFrom(4, 3, 1 << 20);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].sequence(), 4u);
  EXPECT_EQ((*events)[2].sequence(), 6u);
  // A byte limit smaller than one event still returns one.
  events = log->ReadFrom(1, 100, 1);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
  events = log->ReadFrom(0, 100, 1 << 20);  // 0 means the start
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 10u);
  events = log->ReadFrom(11, 100, 1 << 20);
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST(EventLogTest, ReopenContinuesTheSequence) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path());
    ASSERT_TRUE(log->Append(MakeAppend("first", "one")).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = OpenLog(dir.path());
  EXPECT_EQ(log->last_sequence(), 2u);
  absl::StatusOr<AppendResult> r = log->Append(MakeAppend("second", "two"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sequence, 4u);
  // Duplicate detection survives the reopen.
  r = log->Append(MakeAppend("again", "one"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, Outcome::kDuplicate);
  EXPECT_EQ(r->article_id, "first");
  EXPECT_EQ(r->sequence, 2u);
  EXPECT_EQ(ReadAll(*log).size(), 4u);
}

TEST(EventLogTest, DuplicateTextGivesTheOriginalAndWritesNothing) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log->Append(MakeAppend("orig", "same words")).ok());
  absl::StatusOr<AppendResult> r = log->Append(MakeAppend("copy", "same words"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, Outcome::kDuplicate);
  EXPECT_EQ(r->article_id, "orig");
  EXPECT_EQ(r->sequence, 2u);
  EXPECT_EQ(log->last_sequence(), 2u);
  auto copy = log->FindById("copy");
  ASSERT_TRUE(copy.ok());
  EXPECT_FALSE(copy->has_value());
}

TEST(EventLogTest, IdOfAnotherTextIsAConflict) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log->Append(MakeAppend("x", "first text")).ok());
  absl::StatusOr<AppendResult> r = log->Append(MakeAppend("x", "second text"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, Outcome::kIdConflict);
  EXPECT_EQ(log->last_sequence(), 2u);
}

TEST(EventLogTest, ConcurrentIdenticalAppendsGiveOneAcceptance) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<AppendResult>> results(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      results[t] = log->Append(MakeAppend(absl::StrCat("c", t), "the very same article"));
    });
  }
  for (auto& th : threads) th.join();
  int accepted = 0;
  std::string winner;
  for (auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->outcome == Outcome::kAccepted) {
      ++accepted;
      winner = r->article_id;
    }
  }
  EXPECT_EQ(accepted, 1);
  for (auto& r : results) {
    EXPECT_EQ(r->article_id, winner);
    EXPECT_EQ(r->sequence, 2u);
  }
  EXPECT_EQ(log->last_sequence(), 2u);
}

TEST(EventLogTest, ManyWritersKeepTheLogDenseAndComplete) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::vector<AppendResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = log->Append(
            MakeAppend(absl::StrCat("t", t, "-", i), absl::StrCat("text of ", t, "/", i)));
        ASSERT_TRUE(r.ok()) << r.status();
        results[t].push_back(*r);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> sequences;
  for (const auto& per_thread : results) {
    uint64_t previous = 0;
    for (const AppendResult& r : per_thread) {
      EXPECT_EQ(r.outcome, Outcome::kAccepted);
      EXPECT_GT(r.sequence, previous);  // one caller's appends stay in order
      previous = r.sequence;
      sequences.insert(r.sequence);
    }
  }
  EXPECT_EQ(sequences.size(), size_t{kThreads * kPerThread});
  std::vector<relations::v1::LogEvent> events = ReadAll(*log);
  ASSERT_EQ(events.size(), size_t{2 * kThreads * kPerThread});
  for (const auto& per_thread : results) {
    for (const AppendResult& r : per_thread) {
      EXPECT_EQ(events[r.sequence - 2].article_recorded().article().id(), r.article_id);
    }
  }
}

TEST(EventLogTest, WaitersAndListenersSeeCommits) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  std::atomic<uint64_t> heard{0};
  const int id = log->AddCommitListener([&](uint64_t last) { heard.store(last); });
  EXPECT_FALSE(log->WaitForSequence(1, absl::Milliseconds(10)));
  std::thread writer([&] { ASSERT_TRUE(log->Append(MakeAppend("w", "wake up")).ok()); });
  EXPECT_TRUE(log->WaitForSequence(2, absl::Seconds(10)));
  writer.join();
  EXPECT_EQ(heard.load(), 2u);
  log->RemoveCommitListener(id);
  ASSERT_TRUE(log->Append(MakeAppend("w2", "again")).ok());
  EXPECT_EQ(heard.load(), 2u);
}

TEST(EventLogTest, AppendAfterCloseIsUnavailable) {
  TempDir dir;
  auto log = OpenLog(dir.path());
  ASSERT_TRUE(log->Close().ok());
  absl::StatusOr<AppendResult> r = log->Append(MakeAppend("late", "too late"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(log->Close().ok());  // idempotent
}

// What kill -9 leaves behind is the files as they are on disk: copy the
// database directory while the log is still open (no flush, no close) and
// open the copy.
TEST(EventLogTest, AcknowledgedAppendsSurviveACrash) {
  TempDir dir;
  auto log = OpenLog(dir.Sub("live"));
  std::vector<AppendResult> acked;
  for (int i = 0; i < 50; ++i) {
    auto r = log->Append(MakeAppend(absl::StrCat("k", i), absl::StrCat("crash text ", i)));
    ASSERT_TRUE(r.ok());
    acked.push_back(*r);
  }
  std::filesystem::copy(dir.Sub("live"), dir.Sub("crashed"),
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir.Sub("crashed") + "/LOCK");
  auto recovered = OpenLog(dir.Sub("crashed"));
  ASSERT_NE(recovered, nullptr);
  EXPECT_EQ(recovered->last_sequence(), 100u);
  for (const AppendResult& r : acked) {
    auto stored = recovered->FindById(r.article_id);
    ASSERT_TRUE(stored.ok());
    ASSERT_TRUE(stored->has_value()) << r.article_id;
    EXPECT_EQ((*stored)->last_sequence, r.sequence);
  }
  EXPECT_EQ(ReadAll(*recovered).size(), 100u);
}

TEST(EventLogTest, WriteErrorIsUnavailableAndLeavesNothingHalfApplied) {
  TempDir dir;
  auto fs = std::make_shared<FailingWalFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  auto log = OpenLog(dir.path(), env.get());
  ASSERT_TRUE(log->Append(MakeAppend("ok1", "before the failure")).ok());

  fs->set_fail(true);
  absl::StatusOr<AppendResult> failed = log->Append(MakeAppend("lost", "during the failure"));
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable) << failed.status();
  EXPECT_EQ(log->last_sequence(), 2u);

  fs->set_fail(false);
  // RocksDB's own recovery from a full disk (its SstFileManager polls) may
  // take a few seconds; until then appends fail fast with UNAVAILABLE.
  absl::StatusOr<AppendResult> later;
  for (int i = 0; i < 300; ++i) {
    later = log->Append(MakeAppend("ok2", "after the failure"));
    if (later.ok()) break;
    EXPECT_EQ(later.status().code(), absl::StatusCode::kUnavailable);
    absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->outcome, Outcome::kAccepted);
  EXPECT_EQ(later->sequence, 4u);  // the failed append used no sequence
  // The failed article can be sent again.
  absl::StatusOr<AppendResult> retried = log->Append(MakeAppend("lost", "during the failure"));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->outcome, Outcome::kAccepted);
  EXPECT_EQ(retried->sequence, 6u);
  ASSERT_TRUE(log->Close().ok());

  auto reopened = OpenLog(dir.path());
  std::vector<relations::v1::LogEvent> events = ReadAll(*reopened);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].article_recorded().article().id(), "ok2");
  EXPECT_EQ(events[4].article_recorded().article().id(), "lost");
}

}  // namespace
}  // namespace relmon::ingest
