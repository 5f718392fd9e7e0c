// Tests of the views on a real RocksDB in a temp directory: order
// independence, rebuild equality, cursor atomicity, and the records the
// seed facts produce.
#include "query-service/view_store.h"

#include <algorithm>
#include <random>

#include "gtest/gtest.h"
#include "query-service/corpus_fixtures.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

std::string FreshDir(const std::string& name) { return ScratchDir(name); }

std::unique_ptr<ViewStore> OpenStore(const std::string& dir, bool rebuild = false) {
  ViewStoreOptions o;
  o.path = dir;
  o.rebuild = rebuild;
  auto s = ViewStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : nullptr;
}

void ApplyAll(ViewStore* store, const std::vector<v1::LogEvent>& log, size_t batch) {
  for (size_t i = 0; i < log.size(); i += batch) {
    std::vector<v1::LogEvent> part(log.begin() + i, log.begin() + std::min(log.size(), i + batch));
    ASSERT_TRUE(store->Apply(part).ok());
  }
}

std::vector<ArticleFacts> AllArticles() {
  auto all = SeedArticles();
  for (auto& a : DevArticles()) all.push_back(a);
  return all;
}

// The views with each article's log position blanked: the one field that
// legitimately depends on ingest order.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> OrderFreeDump(
    const ViewStore& s) {
  auto dump = s.DumpViews();
  for (auto& [key, value] : dump["articles"]) {
    v1::ArticleSummary summary;
    summary.ParseFromString(value);
    summary.clear_sequence();
    value = summary.SerializeAsString();
  }
  return dump;
}

void ExpectSameViews(
    const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& a,
    const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [cf, rows] : a) {
    SCOPED_TRACE(cf);
    auto it = b.find(cf);
    ASSERT_NE(it, b.end());
    ASSERT_EQ(rows.size(), it->second.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].first, it->second[i].first);
      EXPECT_TRUE(rows[i].second == it->second[i].second)
          << "value differs at key " << rows[i].first;
    }
  }
}

TEST(ViewStoreTest, EventGroupKeysOfDatedAndUndatedGroups) {
  EXPECT_EQ(EventGroupKey("AZ|IR", relations::v1::EVENT_TYPE_MEETING, "2023"), "AZ|IR|02|2023");
  // One article's undated events sit outside the pair's key range.
  EXPECT_EQ(EventGroupKey("AZ|IR", relations::v1::EVENT_TYPE_MEETING, "~|art1"), "~|AZ|IR|02|art1");
}

TEST(ViewStoreTest, AnswersDoNotDependOnIngestOrder) {
  auto articles = AllArticles();
  auto forward = OpenStore(FreshDir("fwd"));
  ApplyAll(forward.get(), LogOf(articles), 1);
  std::reverse(articles.begin(), articles.end());
  auto backward = OpenStore(FreshDir("rev"));
  ApplyAll(backward.get(), LogOf(articles), 3);
  std::mt19937 rng(7);
  std::shuffle(articles.begin(), articles.end(), rng);
  auto shuffled = OpenStore(FreshDir("shuf"));
  ApplyAll(shuffled.get(), LogOf(articles), 1000);

  auto expected = OrderFreeDump(*forward);
  EXPECT_FALSE(expected["dyad_events"].empty());
  EXPECT_FALSE(expected["agreements"].empty());
  EXPECT_FALSE(expected["disputes"].empty());
  ExpectSameViews(expected, OrderFreeDump(*backward));
  ExpectSameViews(expected, OrderFreeDump(*shuffled));
}

TEST(ViewStoreTest, RebuildFromTheLogEqualsIncrementalViews) {
  auto log = LogOf(AllArticles());
  std::string dir = FreshDir("rebuild");
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> incremental;
  {
    auto store = OpenStore(dir);
    ApplyAll(store.get(), log, 1);
    EXPECT_EQ(store->applied_sequence(), log.size());
    incremental = store->DumpViews();
  }
  auto rebuilt = OpenStore(dir, /*rebuild=*/true);
  EXPECT_EQ(rebuilt->applied_sequence(), 0u);
  for (const auto& [cf, rows] : rebuilt->DumpViews()) EXPECT_TRUE(rows.empty()) << cf;
  ApplyAll(rebuilt.get(), log, 64);
  ExpectSameViews(incremental, rebuilt->DumpViews());
}

TEST(ViewStoreTest, CursorSurvivesReopenAndGapsAreRefused) {
  auto log = LogOf(SeedArticles());
  std::string dir = FreshDir("cursor");
  {
    auto store = OpenStore(dir);
    ASSERT_TRUE(store->Apply({log[0], log[1], log[2]}).ok());
  }
  auto store = OpenStore(dir);
  EXPECT_EQ(store->applied_sequence(), 3u);
  EXPECT_EQ(store->Apply({log[4]}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Apply({log[2]}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->applied_sequence(), 3u);
  ASSERT_TRUE(store->Apply({log[3]}).ok());
  EXPECT_TRUE(store->WaitForSequence(4, absl::Now()));
  EXPECT_FALSE(store->WaitForSequence(5, absl::Now() + absl::Milliseconds(20)));
}

TEST(ViewStoreTest, ReanalysisReplacesAnArticlesFacts) {
  auto seeds = SeedArticles();
  auto log = LogOf({seeds[0]});
  auto store = OpenStore(FreshDir("reanalysis"));
  ApplyAll(store.get(), log, 10);
  size_t before = store->DumpViews()["dyad_events"].size();
  EXPECT_GT(before, 1u);
  v1::LogEvent again = log[1];
  again.set_sequence(3);
  auto* analysis = again.mutable_article_analyzed();
  analysis->clear_events();
  *analysis->add_events() = seeds[0].events[0];
  analysis->clear_figures();
  ASSERT_TRUE(store->Apply({again}).ok());
  auto dump = store->DumpViews();
  EXPECT_EQ(dump["dyad_events"].size(), 1u);
  EXPECT_TRUE(dump["figures"].empty());
  EXPECT_TRUE(dump["figure_index"].empty());
}

TEST(ViewStoreTest, SeedRecords) {
  auto store = OpenStore(FreshDir("seeds"));
  ApplyAll(store.get(), LogOf(SeedArticles()), 4);
  auto dump = store->DumpViews();

  ASSERT_EQ(dump["disputes"].size(), 1u);
  v1::DisputedFigure dispute;
  dispute.ParseFromString(dump["disputes"][0].second);
  EXPECT_EQ(dispute.quantity(), "border_length");
  ASSERT_EQ(dispute.claims_size(), 2);
  EXPECT_EQ(dispute.claims(0).value(), 44000);
  EXPECT_EQ(dispute.claims(1).value(), 132000);

  auto rasht = store->Get(View::kAgreements, AgreementIdForKey("rasht astara railway"));
  ASSERT_TRUE(rasht.ok() && rasht->has_value());
  v1::Agreement agreement;
  agreement.ParseFromString(**rasht);
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_SIGNED);
  EXPECT_EQ(agreement.figures_size(), 2);
  EXPECT_EQ(agreement.aliases_size(), 2);
  EXPECT_EQ(agreement.citations_size(), 2);

  auto peace = store->Get(View::kAgreements, AgreementIdForKey("am az peace treaty"));
  ASSERT_TRUE(peace.ok() && peace->has_value());
  agreement.ParseFromString(**peace);
  EXPECT_EQ(agreement.status(), v1::AGREEMENT_STATUS_AGREED);
  ASSERT_EQ(agreement.history_size(), 2);
  EXPECT_EQ(agreement.history(0).status(), v1::AGREEMENT_STATUS_NEGOTIATING);

  auto undated = store->Get(View::kArticles, "s2");
  ASSERT_TRUE(undated.ok() && undated->has_value());
  v1::ArticleSummary summary;
  summary.ParseFromString(**undated);
  EXPECT_FALSE(summary.has_published_at());
  EXPECT_EQ(summary.event_count(), 2);
  EXPECT_EQ(summary.sequence(), 6u);
}

}  // namespace
}  // namespace relmon::query
