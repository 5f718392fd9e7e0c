// Tests of request handling without a network: country resolution and
// errors, pagination, NOT_FOUND, timelines.
#include "query-service/query_engine.h"

#include <algorithm>
#include <set>

#include "gtest/gtest.h"
#include "query-service/corpus_fixtures.h"
#include "query-service/keys.h"
#include "query-service/query_service_impl.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

class QueryEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = CountryGazetteer::Load(RELMON_TEST_ISO_CODES_DIR, RELMON_TEST_DATA_DIR);
    ASSERT_TRUE(g.ok()) << g.status();
    gazetteer_ = g->release();
    ViewStoreOptions o;
    o.path = ScratchDir("engine");
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

  QueryEngine engine_{store_, gazetteer_, {}, [] { return Date("2025-06-01"); }};
  static CountryGazetteer* gazetteer_;
  static ViewStore* store_;
};

CountryGazetteer* QueryEngineTest::gazetteer_ = nullptr;
ViewStore* QueryEngineTest::store_ = nullptr;

TEST_F(QueryEngineTest, UnknownCountryNamesTheArgument) {
  v1::GetRelationsStateRequest r;
  r.set_country_a("Iran");
  r.set_country_b("Atlantis");
  auto state = engine_.GetRelationsState(r);
  ASSERT_EQ(state.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(state.status().message(), "country_b: unknown country \"Atlantis\"");
  EXPECT_EQ(ErrorField(state.status()), "country_b");
  grpc::Status g = ToGrpcStatus(state.status());
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(g.error_details().empty());
}

TEST_F(QueryEngineTest, NamesAndCapitalsResolve) {
  v1::GetRelationsStateRequest r;
  r.set_country_a("Tehran");
  r.set_country_b("Azerbaijan");
  *r.mutable_as_of() = Ts("2023-02-15");
  auto state = engine_.GetRelationsState(r);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->country_a(), "AZ");
  EXPECT_EQ(state->country_b(), "IR");
  EXPECT_TRUE(state->level() == v1::RELATIONS_LEVEL_TENSE ||
              state->level() == v1::RELATIONS_LEVEL_HOSTILE);
  EXPECT_GT(state->evidence_size(), 0);
}

TEST_F(QueryEngineTest, PairWithoutEventsIsUnspecified) {
  v1::GetRelationsStateRequest r;
  r.set_country_a("JP");
  r.set_country_b("KR");
  auto state = engine_.GetRelationsState(r);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->level(), v1::RELATIONS_LEVEL_UNSPECIFIED);
}

TEST_F(QueryEngineTest, EventsPageThroughInOrder) {
  v1::ListEventsRequest all;
  all.set_country_a("AZ");
  all.set_country_b("IR");
  all.set_page_size(1000);
  auto everything = engine_.ListEvents(all);
  ASSERT_TRUE(everything.ok()) << everything.status();
  ASSERT_GT(everything->events_size(), 5);
  EXPECT_TRUE(everything->next_page_token().empty());
  // Undated events last.
  EXPECT_FALSE(everything->events(everything->events_size() - 1).has_occurred_at());

  v1::ListEventsRequest page = all;
  page.set_country_a("Iran");  // same pair, other spelling: same filters
  page.set_country_b("Baku");
  page.set_page_size(2);
  std::vector<std::string> ids;
  int pages = 0;
  do {
    auto r = engine_.ListEvents(page);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& e : r->events()) ids.push_back(e.event_id());
    page.set_page_token(r->next_page_token());
    ++pages;
  } while (!page.page_token().empty() && pages < 100);
  ASSERT_EQ(static_cast<int>(ids.size()), everything->events_size());
  for (int i = 0; i < everything->events_size(); ++i)
    EXPECT_EQ(ids[i], everything->events(i).event_id());
}

TEST_F(QueryEngineTest, PageTokenIsBoundToItsFilters) {
  v1::ListEventsRequest r;
  r.set_country_a("AZ");
  r.set_country_b("IR");
  r.set_page_size(1);
  auto first = engine_.ListEvents(r);
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token().empty());
  r.set_page_token(first->next_page_token());
  r.add_types(v1::EVENT_TYPE_ATTACK);
  auto refused = engine_.ListEvents(r);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(refused.status()), "page_token");
  r.clear_types();
  r.set_page_token("not a token");
  EXPECT_EQ(engine_.ListEvents(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(QueryEngineTest, PageSizeRules) {
  v1::ListAgreementsRequest r;
  r.set_page_size(-1);
  EXPECT_EQ(engine_.ListAgreements(r).status().code(), absl::StatusCode::kInvalidArgument);
  r.set_page_size(0);
  auto all = engine_.ListAgreements(r);
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->agreements_size(), 3);
  r.set_page_size(5000);
  EXPECT_TRUE(engine_.ListAgreements(r).ok());
}

TEST_F(QueryEngineTest, EventFiltersByTypeAndTime) {
  v1::ListEventsRequest r;
  r.set_country_a("AZ");
  r.set_country_b("IR");
  r.add_types(v1::EVENT_TYPE_ATTACK);
  *r.mutable_start_time() = Ts("2023-01-01");
  *r.mutable_end_time() = Ts("2024-01-01");
  auto events = engine_.ListEvents(r);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->events_size(), 1);
  EXPECT_EQ(events->events(0).report_count(), 2);
  EXPECT_EQ(events->events(0).date_precision(), v1::DATE_PRECISION_MONTH);
}

TEST_F(QueryEngineTest, AgreementsByCountryAndStatus) {
  v1::ListAgreementsRequest r;
  r.set_country("Russia");
  auto list = engine_.ListAgreements(r);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->agreements_size(), 1);
  EXPECT_EQ(list->agreements(0).status(), v1::AGREEMENT_STATUS_SIGNED);
  v1::GetAgreementRequest get;
  get.set_agreement_id(list->agreements(0).agreement_id());
  auto one = engine_.GetAgreement(get);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->figures_size(), 2);
  get.set_agreement_id("agr_0000000000000000");
  EXPECT_EQ(engine_.GetAgreement(get).status().code(), absl::StatusCode::kNotFound);

  r.clear_country();
  r.set_status(v1::AGREEMENT_STATUS_OPERATIONAL);
  list = engine_.ListAgreements(r);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->agreements_size(), 1);
}

// Filtered lists come from list_index; they must equal the unfiltered list
// filtered by hand, page by page.
TEST_F(QueryEngineTest, IndexedListFiltersMatchAFullScan) {
  v1::ListAgreementsRequest every;
  every.set_page_size(1000);
  auto all = engine_.ListAgreements(every);
  ASSERT_TRUE(all.ok());
  std::set<std::string> countries;
  for (const auto& a : all->agreements()) countries.insert(a.parties().begin(), a.parties().end());
  ASSERT_FALSE(countries.empty());
  for (const std::string& country : countries) {
    for (int status : {0, static_cast<int>(v1::AGREEMENT_STATUS_SIGNED)}) {
      std::vector<std::string> expected;
      for (const auto& a : all->agreements()) {
        bool party = std::find(a.parties().begin(), a.parties().end(), country) != a.parties().end();
        if (party && (status == 0 || a.status() == status)) expected.push_back(a.agreement_id());
      }
      v1::ListAgreementsRequest r;
      r.set_country(country);
      r.set_status(static_cast<v1::AgreementStatus>(status));
      r.set_page_size(1);
      std::vector<std::string> got;
      for (int i = 0; i < 100; ++i) {
        auto page = engine_.ListAgreements(r);
        ASSERT_TRUE(page.ok()) << page.status();
        for (const auto& a : page->agreements()) got.push_back(a.agreement_id());
        if (page->next_page_token().empty()) break;
        r.set_page_token(page->next_page_token());
      }
      EXPECT_EQ(got, expected) << country << " status " << status;
    }
  }
  // A list item carries its full counts; GetAgreement the whole record.
  for (const auto& a : all->agreements()) {
    EXPECT_GE(a.citation_count(), a.citations_size());
    EXPECT_LE(a.citations_size(), 5);
    v1::GetAgreementRequest get;
    get.set_agreement_id(a.agreement_id());
    auto full = engine_.GetAgreement(get);
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(full->citations_size(), a.citation_count());
    EXPECT_EQ(full->history_size(), a.history_count());
    EXPECT_EQ(full->figures_size(), a.figure_count());
    EXPECT_EQ(full->status(), a.status());
  }

  v1::ListDisputedFiguresRequest d;
  d.set_page_size(1000);
  auto disputes = engine_.ListDisputedFigures(d);
  ASSERT_TRUE(disputes.ok());
  for (const auto& dispute : disputes->disputed_figures()) {
    for (const auto& country : dispute.parties()) {
      v1::ListDisputedFiguresRequest by;
      by.set_country(country);
      auto some = engine_.ListDisputedFigures(by);
      ASSERT_TRUE(some.ok());
      size_t expected = 0;
      for (const auto& x : disputes->disputed_figures()) {
        expected += std::count(x.parties().begin(), x.parties().end(), country);
      }
      EXPECT_EQ(static_cast<size_t>(some->disputed_figures_size()), expected) << country;
    }
  }
}

TEST_F(QueryEngineTest, FiguresAndDisputes) {
  v1::ListFiguresRequest f;
  f.set_country("India");
  f.set_quantity("border_length");
  auto figures = engine_.ListFigures(f);
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(figures->figures_size(), 2);
  v1::ListFiguresRequest all;
  all.set_page_size(2);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto page = engine_.ListFigures(all);
    ASSERT_TRUE(page.ok());
    for (const auto& x : page->figures()) seen.insert(x.citation().article_id() + x.figure_id());
    if (page->next_page_token().empty()) break;
    all.set_page_token(page->next_page_token());
  }
  EXPECT_EQ(seen.size(), 7u);

  v1::ListDisputedFiguresRequest d;
  auto disputes = engine_.ListDisputedFigures(d);
  ASSERT_TRUE(disputes.ok());
  EXPECT_EQ(disputes->disputed_figures_size(), 2);
  d.set_country("China");
  disputes = engine_.ListDisputedFigures(d);
  ASSERT_TRUE(disputes.ok());
  ASSERT_EQ(disputes->disputed_figures_size(), 1);
  EXPECT_EQ(disputes->disputed_figures(0).min_value(), 2000000);
}

TEST_F(QueryEngineTest, ArticlesAndNotFound) {
  v1::GetArticleRequest r;
  r.set_article_id("s1");
  auto a = engine_.GetArticle(r);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->figure_count(), 2);
  r.set_article_id("nope");
  EXPECT_EQ(engine_.GetArticle(r).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(QueryEngineTest, TimelineHasOnePointPerMonth) {
  v1::ListRelationsTimelineRequest r;
  r.set_country_a("AZ");
  r.set_country_b("IR");
  *r.mutable_start_time() = Ts("2021-09-01");
  *r.mutable_end_time() = Ts("2022-01-01");
  auto t = engine_.ListRelationsTimeline(r);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->points_size(), 4);
  EXPECT_EQ(t->points(0).as_of().seconds(), Ts("2021-10-01").seconds());
  EXPECT_EQ(t->points(3).as_of().seconds(), Ts("2022-01-01").seconds());
  r.set_granularity(v1::GRANULARITY_DAY);
  *r.mutable_start_time() = Ts("1900-01-01");
  EXPECT_EQ(engine_.ListRelationsTimeline(r).status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace relmon::query
