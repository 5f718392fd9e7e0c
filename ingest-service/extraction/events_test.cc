// Unit tests of event finding: typing, dyads, dates, hedges and negation.
#include "ingest-service/extraction/events.h"

#include <gtest/gtest.h>

#include "ingest-service/extraction/test_util.h"

namespace relmon::extraction {
namespace {

using relations::v1::EventType;
using testing::GetStages;
using testing::MakeSentence;

std::vector<EventFact> Events(absl::string_view text, absl::CivilDay day,
                              std::vector<std::string> main_dyad = {}, int index = 5) {
  SentenceContext s = MakeSentence(text, day, index);
  ArticleContext a;
  a.article_id = "t";
  a.day = day;
  a.main_dyad = std::move(main_dyad);
  std::vector<EventFact> out;
  GetStages().events->Find(s, a, &out);
  return out;
}

const EventFact* OfType(const std::vector<EventFact>& events, EventType type) {
  for (const EventFact& e : events) {
    if (e.type == type) return &e;
  }
  return nullptr;
}

TEST(EventsTest, AccusationBetweenTheSpeakerAndTheAccused) {
  auto events = Events(
      "Azerbaijani President Ilham Aliyev, in an interview on Sept. 28, accused Iran of "
      "violating Azerbaijan's sovereignty.",
      absl::CivilDay(2021, 11, 22));
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_ACCUSATION);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dyad, (std::vector<std::string>{"AZ", "IR"}));
  ASSERT_TRUE(e->date.day.has_value());
  EXPECT_EQ(*e->date.day, absl::CivilDay(2021, 9, 28));
  EXPECT_LT(e->weight, 0);
}

TEST(EventsTest, NegatedAndConditionalSigningIsNoAgreement) {
  auto a = Events("Armenia and Azerbaijan did not sign the treaty on Monday.",
                  absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(OfType(a, relations::v1::EVENT_TYPE_AGREEMENT), nullptr);
  auto b = Events("Armenia and Azerbaijan would sign the treaty if talks succeed.",
                  absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(OfType(b, relations::v1::EVENT_TYPE_AGREEMENT), nullptr);
}

TEST(EventsTest, FutureSigningIsOnlyAStatementOfIntent) {
  auto events = Events("Russia and Turkey will sign a gas deal next month.",
                       absl::CivilDay(2024, 5, 1));
  EXPECT_EQ(OfType(events, relations::v1::EVENT_TYPE_AGREEMENT), nullptr);
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_STATEMENT_POSITIVE);
  ASSERT_NE(e, nullptr);
  EXPECT_LE(e->weight, 3.0);
}

TEST(EventsTest, CapitalAsPlaceIsNotASide) {
  // One side (Iran) and a place: an attack there needs a second side.
  auto events = Events("An Iranian man attacked a shop in Tehran yesterday.",
                       absl::CivilDay(2024, 5, 1));
  EXPECT_TRUE(events.empty());
}

TEST(EventsTest, VisitTakesTheVisitedPlaceAsOtherSide) {
  auto events = Events("Mustafayev's Sunday visit to Tehran was for the projects.",
                       absl::CivilDay(2021, 11, 22));
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_VISIT);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dyad, (std::vector<std::string>{"AZ", "IR"}));
  ASSERT_TRUE(e->date.day.has_value());
  EXPECT_EQ(*e->date.day, absl::CivilDay(2021, 11, 21));
}

TEST(EventsTest, RetrospectiveSentenceIsMarkedAndDatedToItsPeriod) {
  auto events = Events("Relations between Tehran and Baku soured in recent months.",
                       absl::CivilDay(2021, 11, 22));
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_STATEMENT_NEGATIVE);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->date.retrospective);
  ASSERT_TRUE(e->date.day.has_value());
  EXPECT_EQ(*e->date.day, absl::CivilDay(2021, 9, 1));
  EXPECT_EQ(e->date.precision, DatePrecision::kMonth);
}

TEST(EventsTest, OneExplicitSideUsesTheMainDyadOnlyForBilateralCues) {
  auto clash = Events("Troops faced each other after a clash in June 2020 that killed 20 Indian "
                      "soldiers.",
                      absl::CivilDay(2024, 10, 21), {"CN", "IN"});
  const EventFact* e = OfType(clash, relations::v1::EVENT_TYPE_ATTACK);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dyad, (std::vector<std::string>{"CN", "IN"}));
  EXPECT_EQ(*e->date.day, absl::CivilDay(2020, 6, 1));
  EXPECT_EQ(e->date.precision, DatePrecision::kMonth);
  // An accusation with one side and no pointer to the other is not placed.
  auto lone = Events("Indian officials accused unnamed groups.", absl::CivilDay(2024, 10, 21),
                     {"CN", "IN"});
  EXPECT_EQ(OfType(lone, relations::v1::EVENT_TYPE_ACCUSATION), nullptr);
}

TEST(EventsTest, EmbassyPlaceIsTheOtherSideOfADowngrade) {
  auto events = Events("Canada closed its embassy in Tehran on Friday.", absl::CivilDay(2012, 9, 8));
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_DIPLOMATIC_DOWNGRADE);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dyad, (std::vector<std::string>{"CA", "IR"}));
  EXPECT_EQ(*e->date.day, absl::CivilDay(2012, 9, 7));
}

TEST(EventsTest, JointExercisesAreCooperative) {
  auto events = Events("Iran and Azerbaijan held two-day joint naval exercises in November.",
                       absl::CivilDay(2025, 4, 29));
  const EventFact* e = OfType(events, relations::v1::EVENT_TYPE_MILITARY_EXERCISE);
  ASSERT_NE(e, nullptr);
  EXPECT_GT(e->weight, 0);
  EXPECT_EQ(*e->date.day, absl::CivilDay(2024, 11, 1));
  auto drills = Events("Iran began military drills near its border with Azerbaijan on Friday.",
                       absl::CivilDay(2021, 10, 1));
  e = OfType(drills, relations::v1::EVENT_TYPE_MILITARY_EXERCISE);
  ASSERT_NE(e, nullptr);
  EXPECT_LT(e->weight, 0);
}

}  // namespace
}  // namespace relmon::extraction
