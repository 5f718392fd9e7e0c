// Tests of known_as_of ("what did we know then", docs/history.md) on the
// seed and dev facts: nothing known before the first article, everything
// (dated) known after the last, and in between only facts of articles
// published by then.
#include <set>

#include "gtest/gtest.h"
#include "query-service/corpus_fixtures.h"
#include "query-service/keys.h"
#include "query-service/query_engine.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

class KnownAsOfTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = CountryGazetteer::Load(RELMON_TEST_ISO_CODES_DIR, RELMON_TEST_DATA_DIR);
    ASSERT_TRUE(g.ok()) << g.status();
    gazetteer_ = g->release();
    ViewStoreOptions o;
    o.path = ScratchDir("known_as_of");
    auto s = ViewStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = s->release();
    auto all = SeedArticles();
    for (auto& a : DevArticles()) all.push_back(a);
    ASSERT_TRUE(store_->Apply(LogOf(all)).ok());
  }
  static void TearDownTestSuite() {
    delete store_;
    delete gazetteer_;
  }

  v1::ListEventsResponse Events(const std::string& a, const std::string& b,
                                const google::protobuf::Timestamp* known) {
    v1::ListEventsRequest r;
    r.set_country_a(a);
    r.set_country_b(b);
    r.set_page_size(1000);
    if (known != nullptr) *r.mutable_known_as_of() = *known;
    auto out = engine_.ListEvents(r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : v1::ListEventsResponse();
  }

  QueryEngine engine_{store_, gazetteer_, {}, [] { return Date("2025-06-01"); }};
  static CountryGazetteer* gazetteer_;
  static ViewStore* store_;
};

CountryGazetteer* KnownAsOfTest::gazetteer_ = nullptr;
ViewStore* KnownAsOfTest::store_ = nullptr;

TEST_F(KnownAsOfTest, NothingKnownBeforeTheFirstArticle) {
  const auto early = Ts("1990-01-01");
  EXPECT_EQ(Events("AZ", "IR", &early).events_size(), 0);
  v1::GetRelationsStateRequest state;
  state.set_country_a("AZ");
  state.set_country_b("IR");
  *state.mutable_known_as_of() = early;
  auto s = engine_.GetRelationsState(state);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->level(), v1::RELATIONS_LEVEL_UNSPECIFIED);
  v1::ListAgreementsRequest agreements;
  *agreements.mutable_known_as_of() = early;
  EXPECT_EQ(engine_.ListAgreements(agreements)->agreements_size(), 0);
  v1::ListFiguresRequest figures;
  *figures.mutable_known_as_of() = early;
  EXPECT_EQ(engine_.ListFigures(figures)->figures_size(), 0);
  v1::ListDisputedFiguresRequest disputes;
  *disputes.mutable_known_as_of() = early;
  EXPECT_EQ(engine_.ListDisputedFigures(disputes)->disputed_figures_size(), 0);
}

TEST_F(KnownAsOfTest, EverythingDatedKnownAfterTheLastArticle) {
  const auto late = Ts("2100-01-01");
  auto all = Events("AZ", "IR", nullptr);
  auto known = Events("AZ", "IR", &late);
  bool all_dated = true;
  for (const auto& e : all.events()) {
    for (const auto& c : e.citations()) all_dated = all_dated && c.has_published_at();
  }
  ASSERT_GT(all.events_size(), 0);
  if (all_dated) {
    ASSERT_EQ(known.events_size(), all.events_size());
    for (int i = 0; i < all.events_size(); ++i) {
      EXPECT_EQ(known.events(i).SerializeAsString(), all.events(i).SerializeAsString());
    }
  } else {
    EXPECT_LE(known.events_size(), all.events_size());
  }
  v1::ListAgreementsRequest agreements;
  auto every = engine_.ListAgreements(agreements);
  *agreements.mutable_known_as_of() = late;
  auto known_agreements = engine_.ListAgreements(agreements);
  ASSERT_TRUE(every.ok() && known_agreements.ok());
  EXPECT_LE(known_agreements->agreements_size(), every->agreements_size());
}

TEST_F(KnownAsOfTest, InBetweenOnlyFactsPublishedByThen) {
  const auto then = Ts("2023-02-15");
  const absl::Time t = Date("2023-02-15");
  auto known = Events("AZ", "IR", &then);
  auto all = Events("AZ", "IR", nullptr);
  EXPECT_LT(known.events_size(), all.events_size());
  for (const auto& e : known.events()) {
    ASSERT_GT(e.citations_size(), 0);
    EXPECT_EQ(e.report_count(), [&] {
      std::set<std::string> ids;
      for (const auto& c : e.citations()) ids.insert(c.article_id());
      return static_cast<int>(ids.size());
    }());
    for (const auto& c : e.citations()) {
      ASSERT_TRUE(c.has_published_at());
      EXPECT_LE(ToAbslTime(c.published_at()), t);
    }
  }
  v1::ListFiguresRequest figures;
  *figures.mutable_known_as_of() = then;
  figures.set_page_size(1000);
  auto f = engine_.ListFigures(figures);
  ASSERT_TRUE(f.ok());
  for (const auto& figure : f->figures()) {
    ASSERT_TRUE(figure.citation().has_published_at());
    EXPECT_LE(ToAbslTime(figure.citation().published_at()), t);
  }
  // A page token is tied to its known_as_of.
  v1::ListEventsRequest paged;
  paged.set_country_a("AZ");
  paged.set_country_b("IR");
  paged.set_page_size(1);
  auto first = engine_.ListEvents(paged);
  ASSERT_TRUE(first.ok());
  if (!first->next_page_token().empty()) {
    paged.set_page_token(first->next_page_token());
    *paged.mutable_known_as_of() = then;
    EXPECT_EQ(engine_.ListEvents(paged).status().code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace relmon::query

namespace relmon::query {
namespace {

// The views after re-analyses (new ArticleAnalyzed events for stored
// articles) equal the views of a log whose articles had the newest analyses
// from the start, and a rebuild equals the incremental views.
TEST(ReanalysisViewsTest, NewestAnalysisWinsAndRebuildEqualsIncremental) {
  namespace v1 = relations::v1;
  auto articles = testing::SeedArticles();
  for (auto& a : testing::DevArticles()) articles.push_back(a);
  auto log = testing::LogOf(articles);

  // Re-analyses of every other article: fewer events, no figures.
  std::vector<testing::ArticleFacts> newest = articles;
  for (size_t i = 0; i < newest.size(); i += 2) {
    if (newest[i].events.size() > 1) newest[i].events.resize(1);
    newest[i].figures.clear();
    newest[i].mentions.clear();
  }
  auto newest_log = testing::LogOf(newest);
  std::vector<v1::LogEvent> extended = log;
  for (size_t i = 0; i < newest.size(); i += 2) {
    v1::LogEvent e = newest_log[2 * i + 1];
    ASSERT_TRUE(e.has_article_analyzed());
    e.mutable_article_analyzed()->set_extractor_version("v2");
    e.set_sequence(extended.size() + 1);
    extended.push_back(e);
  }
  for (size_t i = 0; i < newest.size(); i += 2) {
    newest_log[2 * i + 1].mutable_article_analyzed()->set_extractor_version("v2");
  }

  auto open = [](const std::string& name) {
    ViewStoreOptions o;
    o.path = testing::ScratchDir(name);
    auto s = ViewStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  };
  auto order_free = [](const ViewStore& s) {
    auto dump = s.DumpViews();
    for (auto& [key, value] : dump["articles"]) {
      v1::ArticleSummary summary;
      summary.ParseFromString(value);
      summary.clear_sequence();
      value = summary.SerializeAsString();
    }
    return dump;
  };

  auto incremental = open("reanalysis_incremental");
  for (const auto& e : extended) ASSERT_TRUE(incremental->Apply({e}).ok());
  auto batched = open("reanalysis_batched");
  ASSERT_TRUE(batched->Apply(extended).ok());
  auto direct = open("reanalysis_direct");
  ASSERT_TRUE(direct->Apply(newest_log).ok());

  auto a = order_free(*incremental);
  EXPECT_EQ(a, order_free(*batched));
  EXPECT_EQ(a, order_free(*direct));
  v1::ArticleSummary summary;
  auto stored = incremental->Get(View::kArticles, articles[0].id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  summary.ParseFromString(**stored);
  EXPECT_EQ(summary.extractor_version(), "v2");
}

}  // namespace
}  // namespace relmon::query
