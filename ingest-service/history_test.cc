// Tests of the history features of the ingest service: analysis-only
// appends, the re-analysis job (skip when current, resume after a restart)
// and checkpoint paths and checkpoints.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ingest-service/checkpoint.h"
#include "ingest-service/event_log.h"
#include "ingest-service/extraction/extractor.h"
#include "ingest-service/intake.h"
#include "ingest-service/reanalyzer.h"
#include "ingest-service/test_util.h"

namespace relmon::ingest {
namespace {

using testing_util::TempDir;

std::unique_ptr<extraction::Extractor> LoadExtractor(const std::string& data_dir) {
  extraction::ExtractorOptions options;
  options.resources_dir = data_dir;
  options.iso_codes_dir = RELMON_TEST_ISO_CODES_DIR;
  auto extractor = extraction::Extractor::Create(options);
  EXPECT_TRUE(extractor.ok()) << extractor.status();
  return extractor.ok() ? *std::move(extractor) : nullptr;
}

relations::v1::Article MakeArticle(int i) {
  relations::v1::Article a;
  a.set_text("BAKU, 12 March 2024\n\nAzerbaijan and Iran held talks on trade on Tuesday, "
             "the ministries said in statement number " +
             std::to_string(i) + ".");
  a.set_source(i % 2 == 0 ? "Even Wire" : "Odd Wire");
  return a;
}

std::vector<relations::v1::LogEvent> ReadAll(const EventLog& log) {
  auto events = log.ReadFrom(1, 100000, size_t{1} << 30);
  EXPECT_TRUE(events.ok());
  return events.ok() ? *events : std::vector<relations::v1::LogEvent>{};
}

TEST(CheckpointPathTest, StaysInsideTheRoot) {
  TempDir dir;
  const std::string root = dir.Sub("backups");
  EXPECT_EQ(ResolveCheckpointPath("", "x").status().code(), absl::StatusCode::kFailedPrecondition);
  auto ok = ResolveCheckpointPath(root, "daily/one");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, std::filesystem::weakly_canonical(root).string() + "/daily/one");
  EXPECT_EQ(ResolveCheckpointPath(root, "../x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveCheckpointPath(root, "a/../../x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveCheckpointPath(root, "/etc/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveCheckpointPath(root, ".").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveCheckpointPath(root, "").status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::create_symlink("/tmp", root + "/link");
  EXPECT_EQ(ResolveCheckpointPath(root, "link/x").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::filesystem::create_directories(root + "/exists");
  EXPECT_EQ(ResolveCheckpointPath(root, "exists").status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST(HistoryTest, ReanalysisSkipsCurrentThenAppendsForNewDataAndResumes) {
  TempDir dir;
  auto extractor = LoadExtractor(RELMON_TEST_DATA_DIR);
  ASSERT_NE(extractor, nullptr);
  EventLogOptions options;
  options.path = dir.Sub("log");
  uint64_t ingested_last = 0;
  {
    auto log = EventLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status();
    auto intake = Intake::Create(IntakeOptions{}, log->get(), extractor.get());
    ASSERT_TRUE(intake.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*intake)->Ingest(MakeArticle(i)).ok());
    (*intake)->Shutdown();
    ingested_last = (*log)->last_sequence();
    ASSERT_EQ(ingested_last, 20u);

    // Same extractor: nothing to do.
    auto re = Reanalyzer::Create(log->get(), extractor.get());
    ASSERT_TRUE(re.ok());
    auto job = (*re)->Start({});
    ASSERT_TRUE(job.ok()) << job.status();
    ASSERT_TRUE((*re)->WaitUntilFinished(absl::Seconds(60)));
    EXPECT_EQ((*re)->Get().state(), relations::v1::REANALYSIS_STATE_DONE);
    EXPECT_EQ((*re)->Get().articles_done(), 10u);
    EXPECT_EQ((*re)->Get().articles_total(), 10u);
    EXPECT_EQ((*re)->Get().articles_reanalyzed(), 0u);
    EXPECT_EQ((*log)->last_sequence(), ingested_last);
  }

  // Changed data (a new version): only the selected source is redone.
  TempDir data;
  std::filesystem::copy(RELMON_TEST_DATA_DIR, data.Sub("d"),
                        std::filesystem::copy_options::recursive);
  {
    std::ofstream f(data.Sub("d") + "/office_holders.tsv", std::ios::app);
    f << "Zurab Mkhedrishvili\tGE\tpresident\t2024-01-01\t\tMkhedrishvili\n";
  }
  auto changed = LoadExtractor(data.Sub("d"));
  ASSERT_NE(changed, nullptr);
  ASSERT_NE(changed->version(), extractor->version());
  {
    auto log = EventLog::Open(options);
    ASSERT_TRUE(log.ok());
    ReanalyzerOptions ro;
    ro.batch_events = 4;
    auto re = Reanalyzer::Create(log->get(), changed.get(), ro);
    ASSERT_TRUE(re.ok());
    relations::v1::StartReanalysisRequest request;
    request.set_source("Even Wire");
    ASSERT_TRUE((*re)->Start(request).ok());
    EXPECT_EQ((*re)->Start(request).status().code(), absl::StatusCode::kFailedPrecondition);
    ASSERT_TRUE((*re)->WaitUntilFinished(absl::Seconds(60)));
    auto job = (*re)->Get();
    EXPECT_EQ(job.state(), relations::v1::REANALYSIS_STATE_DONE) << job.error();
    EXPECT_EQ(job.articles_done(), 5u);
    EXPECT_EQ(job.articles_reanalyzed(), 5u);
    EXPECT_EQ((*log)->last_sequence(), ingested_last + 5);
    auto events = ReadAll(**log);
    for (size_t i = ingested_last; i < events.size(); ++i) {
      ASSERT_TRUE(events[i].has_article_analyzed());
      EXPECT_EQ(events[i].article_analyzed().extractor_version(), changed->version());
    }
    // A duplicate now answers with the newest analysis's sequence.
    auto stored = (*log)->FindById(events[ingested_last].article_analyzed().article_id());
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ((*stored)->last_sequence, ingested_last + 1);

    // All sources: only the other five are redone.
    ASSERT_TRUE((*re)->Start({}).ok());
    ASSERT_TRUE((*re)->WaitUntilFinished(absl::Seconds(60)));
    EXPECT_EQ((*re)->Get().articles_reanalyzed(), 5u);
    EXPECT_EQ((*log)->last_sequence(), ingested_last + 10);

    // Checkpoint: a dense copy that opens on its own.
    auto last = (*log)->CreateCheckpoint(dir.Sub("snap"));
    ASSERT_TRUE(last.ok()) << last.status();
    EXPECT_EQ(*last, ingested_last + 10);
    EXPECT_EQ((*log)->CreateCheckpoint(dir.Sub("snap")).status().ok(), false);
  }
  EventLogOptions snap_options;
  snap_options.path = dir.Sub("snap");
  auto snap = EventLog::Open(snap_options);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->last_sequence(), ingested_last + 10);
  auto events = ReadAll(**snap);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].sequence(), i + 1);
}

TEST(HistoryTest, ParallelReanalysisCommitsInScanOrderWhileIngestGoesOn) {
  TempDir dir;
  auto extractor = LoadExtractor(RELMON_TEST_DATA_DIR);
  ASSERT_NE(extractor, nullptr);
  EventLogOptions options;
  options.path = dir.Sub("log");
  auto log = EventLog::Open(options);
  ASSERT_TRUE(log.ok()) << log.status();
  auto intake = Intake::Create(IntakeOptions{}, log->get(), extractor.get());
  ASSERT_TRUE(intake.ok());
  constexpr int kStored = 60;
  for (int i = 0; i < kStored; ++i) ASSERT_TRUE((*intake)->Ingest(MakeArticle(i)).ok());
  const uint64_t end = (*log)->last_sequence();

  TempDir data;
  std::filesystem::copy(RELMON_TEST_DATA_DIR, data.Sub("d"),
                        std::filesystem::copy_options::recursive);
  {
    std::ofstream f(data.Sub("d") + "/office_holders.tsv", std::ios::app);
    f << "Zurab Mkhedrishvili\tGE\tpresident\t2024-01-01\t\tMkhedrishvili\n";
  }
  auto changed = LoadExtractor(data.Sub("d"));
  ASSERT_NE(changed, nullptr);

  // Small batches and chunks, many threads: batches finish out of order.
  ReanalyzerOptions ro;
  ro.threads = 4;
  ro.batch_events = 6;
  ro.batches_ahead = 4;
  ro.append_chunk = 2;
  auto re = Reanalyzer::Create(log->get(), changed.get(), ro);
  ASSERT_TRUE(re.ok());
  ASSERT_TRUE((*re)->Start({}).ok());
  // Live articles meanwhile: all accepted.
  for (int i = kStored; i < kStored + 20; ++i) {
    auto r = (*intake)->Ingest(MakeArticle(i));
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->outcome, relations::v1::INGEST_OUTCOME_ACCEPTED);
  }
  ASSERT_TRUE((*re)->WaitUntilFinished(absl::Seconds(120)));
  const auto job = (*re)->Get();
  EXPECT_EQ(job.state(), relations::v1::REANALYSIS_STATE_DONE) << job.error();
  EXPECT_EQ(job.articles_done(), static_cast<uint64_t>(kStored));
  EXPECT_EQ(job.articles_reanalyzed(), static_cast<uint64_t>(kStored));
  EXPECT_EQ(job.scanned_sequence(), end);
  (*intake)->Shutdown();

  // Every stored article got exactly one new analysis, appended in the
  // order the articles were recorded.
  auto events = ReadAll(**log);
  std::vector<std::string> recorded_order, reanalysis_order;
  for (const auto& e : events) {
    if (e.sequence() <= end && e.has_article_recorded()) {
      recorded_order.push_back(e.article_recorded().article().id());
    }
    if (e.sequence() > end && e.has_article_analyzed() &&
        e.article_analyzed().extractor_version() == changed->version()) {
      reanalysis_order.push_back(e.article_analyzed().article_id());
    }
  }
  EXPECT_EQ(reanalysis_order, recorded_order);
  EXPECT_EQ((*log)->last_sequence(), end + kStored + 2 * 20);
}

TEST(HistoryTest, InterruptedJobResumesAfterRestart) {
  TempDir dir;
  auto extractor = LoadExtractor(RELMON_TEST_DATA_DIR);
  ASSERT_NE(extractor, nullptr);
  EventLogOptions options;
  options.path = dir.Sub("log");
  {
    auto log = EventLog::Open(options);
    ASSERT_TRUE(log.ok());
    auto intake = Intake::Create(IntakeOptions{}, log->get(), extractor.get());
    ASSERT_TRUE(intake.ok());
    for (int i = 0; i < 40; ++i) ASSERT_TRUE((*intake)->Ingest(MakeArticle(i)).ok());
    (*intake)->Shutdown();
  }
  TempDir data;
  std::filesystem::copy(RELMON_TEST_DATA_DIR, data.Sub("d"),
                        std::filesystem::copy_options::recursive);
  {
    std::ofstream f(data.Sub("d") + "/office_holders.tsv", std::ios::app);
    f << "Zurab Mkhedrishvili\tGE\tpresident\t2024-01-01\t\tMkhedrishvili\n";
  }
  auto changed = LoadExtractor(data.Sub("d"));
  ASSERT_NE(changed, nullptr);
  ReanalyzerOptions slow;
  slow.batch_events = 2;
  slow.pause_between_batches = absl::Milliseconds(50);
  {
    auto log = EventLog::Open(options);
    ASSERT_TRUE(log.ok());
    auto re = Reanalyzer::Create(log->get(), changed.get(), slow);
    ASSERT_TRUE(re.ok());
    ASSERT_TRUE((*re)->Start({}).ok());
    absl::SleepFor(absl::Milliseconds(300));
    (*re)->Stop();
    EXPECT_EQ((*re)->Get().state(), relations::v1::REANALYSIS_STATE_RUNNING);
    EXPECT_LT((*re)->Get().articles_done(), 40u);
  }
  auto log = EventLog::Open(options);
  ASSERT_TRUE(log.ok());
  auto re = Reanalyzer::Create(log->get(), changed.get());
  ASSERT_TRUE(re.ok());
  ASSERT_TRUE((*re)->WaitUntilFinished(absl::Seconds(60)));
  auto job = (*re)->Get();
  EXPECT_EQ(job.state(), relations::v1::REANALYSIS_STATE_DONE) << job.error();
  EXPECT_EQ(job.articles_done(), 40u);
  // Every article analysed anew exactly once.
  EXPECT_EQ((*log)->last_sequence(), 80u + 40u);
}

}  // namespace
}  // namespace relmon::ingest
