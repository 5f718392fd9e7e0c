// Tests of the relations model: unit rules, and every relations_states item
// of the seed and dev expectations against hand-built fixtures.
#include "query-service/relations_model.h"

#include <map>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "query-service/corpus_fixtures.h"
#include "query-service/event_clustering.h"
#include "query-service/keys.h"

namespace relmon::query {
namespace {

using ::testing::AnyOfArray;
using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

// Clusters the reports of `articles` for one pair, as the views do.
std::vector<v1::Event> PairEvents(const std::vector<ArticleFacts>& articles, const std::string& a,
                                  const std::string& b) {
  std::string dyad = DyadKey(a, b);
  std::map<int, std::vector<v1::Event>> by_type;
  for (const auto& art : articles) {
    for (const auto& e : art.events) {
      std::set<std::string> actors(e.actors().begin(), e.actors().end());
      if (actors.count(a) && actors.count(b)) by_type[e.type()].push_back(e);
    }
  }
  std::vector<v1::Event> out;
  for (auto& [type, reports] : by_type) {
    for (auto& e : ClusterReports(dyad, reports)) out.push_back(e);
  }
  return out;
}

struct Expectation {
  std::string a, b, as_of;
  std::vector<v1::RelationsLevel> levels;
  std::vector<v1::Trend> trends;  // empty: any
};

void CheckAll(const std::vector<ArticleFacts>& articles, const std::vector<Expectation>& expected) {
  RelationsModel model;
  for (const auto& x : expected) {
    SCOPED_TRACE(x.a + "-" + x.b + " as of " + x.as_of);
    auto state = model.StateAt(x.a, x.b, PairEvents(articles, x.a, x.b), Date(x.as_of));
    EXPECT_THAT(state.level(), AnyOfArray(x.levels)) << state.DebugString();
    if (!x.trends.empty()) {
      EXPECT_THAT(state.trend(), AnyOfArray(x.trends)) << state.DebugString();
    }
    EXPECT_GE(state.score(), -10);
    EXPECT_LE(state.score(), 10);
  }
}

constexpr auto HOSTILE = v1::RELATIONS_LEVEL_HOSTILE;
constexpr auto TENSE = v1::RELATIONS_LEVEL_TENSE;
constexpr auto NEUTRAL = v1::RELATIONS_LEVEL_NEUTRAL;
constexpr auto COOPERATIVE = v1::RELATIONS_LEVEL_COOPERATIVE;
constexpr auto CLOSE = v1::RELATIONS_LEVEL_CLOSE;
constexpr auto IMPROVING = v1::TREND_IMPROVING;
constexpr auto STABLE = v1::TREND_STABLE;

TEST(RelationsModelCorpusTest, SeedExpectations) {
  CheckAll(SeedArticles(),
           {
               {"AZ", "IR", "2021-10-15", {HOSTILE, TENSE}, {}},
               {"AZ", "IR", "2021-12-15", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
               {"AZ", "IR", "2023-02-15", {HOSTILE, TENSE}, {}},
               {"AZ", "IR", "2024-01-15", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
               {"AZ", "IR", "2025-05-25", {COOPERATIVE, CLOSE}, {}},
               {"AM", "AZ", "2025-05-25", {NEUTRAL, COOPERATIVE}, {IMPROVING, STABLE}},
           });
}

TEST(RelationsModelCorpusTest, DevExpectations) {
  CheckAll(DevArticles(),
           {
               {"AM", "TR", "2022-01-31", {NEUTRAL, COOPERATIVE}, {IMPROVING, STABLE}},
               {"IR", "SA", "2023-03-31", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
               {"AZ", "RU", "2022-03-01", {COOPERATIVE, CLOSE}, {}},
               {"CN", "IN", "2020-07-01", {HOSTILE, TENSE}, {}},
               {"CN", "IN", "2024-10-31", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
               {"AZ", "IR", "2021-10-15", {HOSTILE, TENSE}, {}},
               {"AZ", "TM", "2021-02-01", {NEUTRAL, COOPERATIVE, CLOSE}, {}},
           });
}

TEST(RelationsModelCorpusTest, BothCorporaTogether) {
  auto all = SeedArticles();
  for (auto& a : DevArticles()) all.push_back(a);
  CheckAll(all, {
                    {"AZ", "IR", "2021-10-15", {HOSTILE, TENSE}, {}},
                    {"AZ", "IR", "2021-12-15", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
                    {"AZ", "IR", "2023-02-15", {HOSTILE, TENSE}, {}},
                    {"AZ", "IR", "2024-01-15", {NEUTRAL, COOPERATIVE}, {IMPROVING}},
                    {"AZ", "IR", "2025-05-25", {COOPERATIVE, CLOSE}, {}},
                });
}

// The worked example of docs/relations-model.md, section 8.
TEST(RelationsModelCorpusTest, DocumentedWorkedExample) {
  RelationsModel model;
  auto state =
      model.StateAt("AZ", "IR", PairEvents(SeedArticles(), "AZ", "IR"), Date("2023-02-15"));
  EXPECT_DOUBLE_EQ(state.score(), -4.94);
  EXPECT_EQ(state.level(), v1::RELATIONS_LEVEL_TENSE);
  EXPECT_EQ(state.trend(), v1::TREND_STABLE);
  EXPECT_EQ(state.event_count(), 5);
  ASSERT_EQ(state.evidence_size(), 5);
  EXPECT_EQ(state.evidence(0).type(), v1::EVENT_TYPE_ATTACK);
  EXPECT_EQ(state.evidence(0).report_count(), 2);
  EXPECT_EQ(state.evidence(1).type(), v1::EVENT_TYPE_DIPLOMATIC_DOWNGRADE);
}

TEST(RelationsModelTest, NoEventsIsUnspecifiedNotAnError) {
  RelationsModel model;
  auto state = model.StateAt("IR", "AZ", {}, Date("2024-01-01"));
  EXPECT_EQ(state.country_a(), "AZ");
  EXPECT_EQ(state.country_b(), "IR");
  EXPECT_EQ(state.level(), v1::RELATIONS_LEVEL_UNSPECIFIED);
  EXPECT_EQ(state.trend(), v1::TREND_UNSPECIFIED);
  EXPECT_EQ(state.score(), 0);
  EXPECT_EQ(state.event_count(), 0);
}

TEST(RelationsModelTest, OnlyEventsBeforeAsOfCount) {
  RelationsModel model;
  auto events = ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01-10",
                                                kAttack, Cite("a", "2023-01-11", "attack"))});
  EXPECT_EQ(model.StateAt("AZ", "IR", events, Date("2023-01-10")).event_count(), 0);
  auto after = model.StateAt("AZ", "IR", events, Date("2023-01-11"));
  EXPECT_EQ(after.event_count(), 1);
  EXPECT_EQ(after.level(), v1::RELATIONS_LEVEL_HOSTILE);
  ASSERT_EQ(after.evidence_size(), 1);
  EXPECT_EQ(after.evidence(0).citations(0).article_id(), "a");
}

TEST(RelationsModelTest, DecayReturnsOldCrisisToNeutral) {
  RelationsModel model;
  auto events = ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2020-01-01",
                                                kAttack, Cite("a", "2020-01-02", "attack"))});
  auto state = model.StateAt("AZ", "IR", events, Date("2023-01-01"));
  EXPECT_EQ(state.level(), v1::RELATIONS_LEVEL_NEUTRAL);
  EXPECT_EQ(state.event_count(), 1);
}

TEST(RelationsModelTest, ManyReportsOfOneEventCountOnce) {
  RelationsModel model;
  std::vector<v1::Event> reports;
  for (int i = 0; i < 20; ++i) {
    reports.push_back(Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01-27", kAttack,
                             Cite("r" + std::to_string(i), "2023-01-28", "attack", i)));
  }
  reports.push_back(Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01", kAttack,
                           Cite("late", "2023-12-29", "this January attack")));
  auto clustered = ClusterReports("AZ|IR", reports);
  ASSERT_EQ(clustered.size(), 1u);
  EXPECT_EQ(clustered[0].report_count(), 21);
  EXPECT_EQ(clustered[0].citations_size(), 21);
  std::vector<v1::Event> one_visit =
      ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2023-02-01", kVisit,
                                      Cite("v", "2023-02-01", "visit"))});
  clustered.push_back(one_visit[0]);
  auto state = model.StateAt("AZ", "IR", clustered, Date("2023-02-02"));
  EXPECT_EQ(state.event_count(), 2);
}

TEST(RelationsModelTest, TrendFollowsTheWindow) {
  RelationsModel model;
  std::vector<v1::Event> events;
  for (auto& e :
       ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_ACCUSATION, "AZ", "IR", "2021-09-28", kAccuse,
                                       Cite("a", "2021-09-29", "accuses"))})) {
    events.push_back(e);
  }
  for (auto& e : ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_AGREEMENT, "AZ", "IR", "2021-12-01",
                                                 kAgreement, Cite("b", "2021-12-01", "agree"))})) {
    events.push_back(e);
  }
  EXPECT_EQ(model.StateAt("AZ", "IR", events, Date("2021-12-10")).trend(), v1::TREND_IMPROVING);
  auto flat = model.StateAt("AZ", "IR", events, Date("2021-10-10"));
  EXPECT_EQ(flat.trend(), v1::TREND_DETERIORATING);
}

TEST(RelationsModelTest, RetrospectiveCharacterisationWeighsHalf) {
  RelationsModel model;
  auto news =
      ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_STATEMENT_NEGATIVE, "AZ", "IR", "2021-11-01",
                                      kCriticise, Cite("a", "2021-11-01", "criticised"))});
  auto background = ClusterReports(
      "AZ|IR", {Report(v1::EVENT_TYPE_STATEMENT_NEGATIVE, "AZ", "IR", "2021-11-01", kCriticise,
                       Cite("a", "2021-11-01", "relations soured in recent months"), true)});
  double s_news = model.ScoreAt(news, Date("2021-11-02"));
  double s_background = model.ScoreAt(background, Date("2021-11-02"));
  EXPECT_LT(s_news, s_background);
  EXPECT_LT(s_background, 0);
}

TEST(RelationsModelTest, LevelsAtBoundaries) {
  RelationsModel model;
  EXPECT_EQ(model.LevelFor(-5), v1::RELATIONS_LEVEL_HOSTILE);
  EXPECT_EQ(model.LevelFor(-4.99), v1::RELATIONS_LEVEL_TENSE);
  EXPECT_EQ(model.LevelFor(-1), v1::RELATIONS_LEVEL_TENSE);
  EXPECT_EQ(model.LevelFor(0.99), v1::RELATIONS_LEVEL_NEUTRAL);
  EXPECT_EQ(model.LevelFor(1), v1::RELATIONS_LEVEL_COOPERATIVE);
  EXPECT_EQ(model.LevelFor(5), v1::RELATIONS_LEVEL_CLOSE);
}

TEST(RelationsModelTest, EvidenceIsOrderedByContribution) {
  RelationsModel model;
  std::vector<v1::Event> events;
  for (auto& e :
       ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_PHONE_CALL, "AZ", "IR", "2023-12-26",
                                       kPhoneCall, Cite("a", "2023-12-29", "call"))})) {
    events.push_back(e);
  }
  for (auto& e :
       ClusterReports("AZ|IR", {Report(v1::EVENT_TYPE_ATTACK, "AZ", "IR", "2023-01", kAttack,
                                       Cite("a", "2023-12-29", "attack", 10), true)})) {
    events.push_back(e);
  }
  auto state = model.StateAt("AZ", "IR", events, Date("2024-01-15"));
  ASSERT_EQ(state.evidence_size(), 2);
  EXPECT_EQ(state.evidence(0).type(), v1::EVENT_TYPE_ATTACK);
}

}  // namespace
}  // namespace relmon::query
