#include "ingest-service/intake.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/test_util.h"

namespace relmon::ingest {
namespace {

using relations::v1::INGEST_OUTCOME_ACCEPTED;
using relations::v1::INGEST_OUTCOME_DUPLICATE;
using relations::v1::INGEST_OUTCOME_REJECTED;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kStory[] =
    "Baku, 29 December 2023\n"
    "Azerbaijan and Iran agreed on Friday to speed up work on the Rasht-Astara railway.\n";

relations::v1::Article Story(const std::string& text, const std::string& id = "") {
  relations::v1::Article a;
  a.set_text(text);
  a.set_id(id);
  a.set_source("Test Wire");
  return a;
}

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(IntakeOptions()); }

  void Start(IntakeOptions options) {
    intake_.reset();
    log_.reset();
    EventLogOptions log_options;
    log_options.path = dir_.Sub("log");
    log_options.block_cache_bytes = 8 << 20;
    auto log = EventLog::Open(log_options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    if (extractor_ == nullptr) {
      extraction::ExtractorOptions eo;
      eo.resources_dir = RELMON_TEST_DATA_DIR;
      eo.iso_codes_dir = RELMON_TEST_ISO_CODES_DIR;
      auto extractor = extraction::Extractor::Create(eo);
      ASSERT_TRUE(extractor.ok()) << extractor.status();
      extractor_ = std::move(*extractor);
    }
    options.extraction_threads = 4;
    auto intake = Intake::Create(options, log_.get(), extractor_.get());
    ASSERT_TRUE(intake.ok()) << intake.status();
    intake_ = std::move(*intake);
  }

  IngestResult Ingest(relations::v1::Article article) {
    absl::StatusOr<IngestResult> r = intake_->Ingest(std::move(article));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : IngestResult();
  }

  void ExpectRejected(relations::v1::Article article, const std::string& why) {
    const uint64_t before = log_->last_sequence();
    IngestResult r = Ingest(std::move(article));
    EXPECT_EQ(r.outcome, INGEST_OUTCOME_REJECTED);
    EXPECT_EQ(r.sequence, 0u);
    EXPECT_THAT(r.message, HasSubstr(why));
    EXPECT_EQ(log_->last_sequence(), before) << "a rejected article wrote something";
  }

  testing_util::TempDir dir_;
  std::unique_ptr<extraction::Extractor> extractor_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Intake> intake_;
};

TEST_F(IntakeTest, AcceptsAnArticleAndStoresBothEvents) {
  IngestResult r = Ingest(Story(kStory, "story-1"));
  EXPECT_EQ(r.outcome, INGEST_OUTCOME_ACCEPTED);
  EXPECT_EQ(r.article_id, "story-1");
  EXPECT_EQ(r.sequence, 2u);
  auto events = log_->ReadFrom(1, 10, 1 << 20);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  const relations::v1::ArticleRecorded& recorded = (*events)[0].article_recorded();
  EXPECT_EQ(recorded.article().id(), "story-1");
  EXPECT_EQ(recorded.article().source(), "Test Wire");
  EXPECT_EQ(recorded.content_hash(), ContentHash(extractor_->CleanText(kStory)));
  const relations::v1::ArticleAnalyzed& analyzed = (*events)[1].article_analyzed();
  EXPECT_EQ(analyzed.article_id(), "story-1");
  EXPECT_EQ(analyzed.extractor_version(), extractor_->version());
}

TEST_F(IntakeTest, DerivesAStableIdFromTheContent) {
  IngestResult r = Ingest(Story(kStory));
  EXPECT_EQ(r.outcome, INGEST_OUTCOME_ACCEPTED);
  const std::string hash = ContentHash(extractor_->CleanText(kStory));
  EXPECT_EQ(r.article_id, "a" + hash.substr(0, 20));
  EXPECT_EQ(r.article_id.size(), 21u);
}

TEST_F(IntakeTest, DuplicateTextGivesTheOriginal) {
  IngestResult first = Ingest(Story(kStory, "orig"));
  ASSERT_EQ(first.outcome, INGEST_OUTCOME_ACCEPTED);
  // Same words, other spacing and line endings, another id.
  std::string respaced = absl::StrCat("  ", kStory, "\r\n\r\n");
  IngestResult again = Ingest(Story(respaced, "other-id"));
  EXPECT_EQ(again.outcome, INGEST_OUTCOME_DUPLICATE);
  EXPECT_EQ(again.article_id, "orig");
  EXPECT_EQ(again.sequence, first.sequence);
  EXPECT_EQ(log_->last_sequence(), 2u);
  IngestResult no_id = Ingest(Story(kStory));
  EXPECT_EQ(no_id.outcome, INGEST_OUTCOME_DUPLICATE);
  EXPECT_EQ(no_id.article_id, "orig");
}

TEST_F(IntakeTest, IdOfAnotherArticleIsRejected) {
  ASSERT_EQ(Ingest(Story(kStory, "taken")).outcome, INGEST_OUTCOME_ACCEPTED);
  ExpectRejected(Story("A different story about Turkey and Armenia.", "taken"),
                 "id \"taken\" already names another article");
}

TEST_F(IntakeTest, RejectsBadArticlesWithAReason) {
  ExpectRejected(Story(""), "article.text is required");
  ExpectRejected(Story(" \n \t "), "only whitespace");
  ExpectRejected(Story("bad \xFF byte"), "not valid UTF-8");
  ExpectRejected(Story(std::string("nul\0inside", 10)), "NUL byte");
  ExpectRejected(Story(kStory, std::string(300, 'i')), "article.id is 300 bytes");
}

TEST_F(IntakeTest, RejectsOversizedArticles) {
  IntakeOptions options;
  options.limits.max_text_bytes = 64;
  Start(options);
  ExpectRejected(Story(std::string(65, 'x')), "the limit is 64");
  EXPECT_EQ(Ingest(Story(std::string(64, 'x'))).outcome, INGEST_OUTCOME_ACCEPTED);
}

TEST_F(IntakeTest, SkipExtractionStoresAnEmptyAnalysis) {
  IntakeOptions options;
  options.skip_extraction = true;
  Start(options);
  IngestResult r = Ingest(Story(kStory, "fast"));
  ASSERT_EQ(r.outcome, INGEST_OUTCOME_ACCEPTED);
  auto events = log_->ReadFrom(2, 1, 1 << 20);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_FALSE((*events)[0].article_analyzed().analyzed());
  EXPECT_THAT((*events)[0].article_analyzed().not_analyzed_reason(),
              StartsWith("extraction skipped"));
}

TEST_F(IntakeTest, ConcurrentIdenticalArticlesGiveOneAcceptance) {
  constexpr int kThreads = 8;
  std::vector<IngestResult> results(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      results[t] = Ingest(Story(kStory));
    });
  }
  for (auto& th : threads) th.join();
  int accepted = 0;
  for (const IngestResult& r : results) {
    if (r.outcome == INGEST_OUTCOME_ACCEPTED)
      ++accepted;
    else
      EXPECT_EQ(r.outcome, INGEST_OUTCOME_DUPLICATE);
    EXPECT_EQ(r.article_id, results[0].article_id);
    EXPECT_EQ(r.sequence, 2u);
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(log_->last_sequence(), 2u);
}

TEST_F(IntakeTest, ManyThreadsOfDistinctArticles) {
  constexpr int kThreads = 6;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        IngestResult r = Ingest(Story(absl::StrCat("Story ", t, " number ", i, ": ", kStory)));
        if (r.outcome == INGEST_OUTCOME_ACCEPTED) accepted.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(accepted.load(), kThreads * kPerThread);
  EXPECT_EQ(log_->last_sequence(), 2u * kThreads * kPerThread);
}

TEST_F(IntakeTest, AfterShutdownArticlesAreUnavailable) {
  intake_->Shutdown();
  absl::StatusOr<IngestResult> r = intake_->Ingest(Story(kStory));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace relmon::ingest
