#include "ingest-service/extraction/text/temporal.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using testing::Tables;

std::vector<TimeExpression> Find(absl::string_view sentence,
                                 std::optional<absl::CivilDay> pub = std::nullopt) {
  return FindTimeExpressions(Tables().dates, sentence, pub);
}

// "text|kind|start|precision" of each expression, for compact assertions.
std::vector<std::string> Describe(absl::string_view sentence,
                                  std::optional<absl::CivilDay> pub = std::nullopt) {
  std::vector<std::string> out;
  for (const auto& e : Find(sentence, pub)) {
    out.push_back(absl::StrCat(e.span.In(sentence), "|", TimeKindName(e.kind), "|",
                               e.resolved ? absl::FormatCivilTime(e.start) : "-", "|",
                               DatePrecisionName(e.precision), e.future ? "|future" : "",
                               e.is_range ? "|range" : ""));
  }
  return out;
}

using V = std::vector<std::string>;
const absl::CivilDay kSeed000(2021, 11, 22);  // a Monday
const absl::CivilDay kSeed001(2023, 12, 29);  // a Friday
const absl::CivilDay kSeed004(2025, 4, 29);   // a Tuesday

TEST(TemporalTest, AbsoluteDates) {
  EXPECT_EQ(Describe("in a phone conversation on December 26, 2023. /"),
            V({"on December 26, 2023|DATE|2023-12-26|DAY"}));
  EXPECT_EQ(Describe("MOSCOW, 14 January 2022"), V({"14 January 2022|DATE|2022-01-14|DAY"}));
  EXPECT_EQ(Describe("KAZAN, Russia, Oct. 23, 2024"), V({"Oct. 23, 2024|DATE|2024-10-23|DAY"}));
  EXPECT_EQ(Describe("Muhammet Kursun  | 22.11.2021 - Update : 22.11.2021"),
            V({"22.11.2021|DATE|2021-11-22|DAY", "22.11.2021|DATE|2021-11-22|DAY"}));
  EXPECT_EQ(Describe(" date 2025-05-18 Baku Deepens Ties"), V({"2025-05-18|DATE|2025-05-18|DAY"}));
  EXPECT_EQ(Describe("Jan 21, 2021 — Energy Desk"), V({"Jan 21, 2021|DATE|2021-01-21|DAY"}));
  EXPECT_EQ(Describe("Last update: May 25, 2024 21:17"), V({"May 25, 2024|DATE|2024-05-25|DAY"}));
  EXPECT_EQ(Describe("on Monday, March 3, 2025 the talks began"),
            V({"on Monday, March 3, 2025|DATE|2025-03-03|DAY"}));
  EXPECT_EQ(Describe("the 26th of December 2023"),
            V({"26th of December 2023|DATE|2023-12-26|DAY"}));
}

TEST(TemporalTest, MonthNamesOfOtherLanguages) {
  EXPECT_EQ(Describe("Москва, 22 ноября 2021 года"), V({"22 ноября 2021|DATE|2021-11-22|DAY"}));
  EXPECT_EQ(Describe("Bakı, 22 noyabr 2021"), V({"22 noyabr 2021|DATE|2021-11-22|DAY"}));
  EXPECT_EQ(Describe("Ankara, 22 Kasım 2021"), V({"22 Kasım 2021|DATE|2021-11-22|DAY"}));
  EXPECT_EQ(Describe("Madrid, 22 de mayo de 2021"), V({"22 de mayo de 2021|DATE|2021-05-22|DAY"}));
  EXPECT_EQ(Describe("Paris, le 3 mars 2024"), V({"3 mars 2024|DATE|2024-03-03|DAY"}));
  // English month names still need a capital.
  EXPECT_TRUE(Describe("about 5 may die, 3 march on").empty());
  EXPECT_TRUE(Describe("a mission to Mars and life on Mars", kSeed004).empty());
}

TEST(TemporalTest, ImpossibleDatesAreNotTimes) {
  EXPECT_TRUE(Describe("The file dated 31.02.2023 was lost").empty());
  EXPECT_TRUE(Describe("on February 30, 2023").empty());
  EXPECT_TRUE(Describe("version 1.2.2023.4 shipped").empty());
}

TEST(TemporalTest, DayMonthTakesTheYearFromPublicationPreferringThePast) {
  EXPECT_EQ(Describe("discussed ... in a phone conversation on December 26.", kSeed001),
            V({"on December 26|DAY_MONTH|2023-12-26|DAY"}));
  EXPECT_EQ(Describe("in an interview with Anadolu Agency on Sept. 28, accusing Iran", kSeed000),
            V({"on Sept. 28|DAY_MONTH|2021-09-28|DAY"}));
  // After the publication day in the calendar: last year's.
  EXPECT_EQ(Describe("on December 30 they met", kSeed001),
            V({"on December 30|DAY_MONTH|2022-12-30|DAY"}));
  // A future cue prefers the future.
  EXPECT_EQ(Describe("the leaders will meet on January 5", kSeed001),
            V({"on January 5|DAY_MONTH|2024-01-05|DAY|future"}));
  // Without a publication day it stays unresolved.
  EXPECT_EQ(Describe("on December 26"), V({"on December 26|DAY_MONTH|-|UNSPECIFIED"}));
}

TEST(TemporalTest, MonthsResolveAgainstPublication) {
  EXPECT_EQ(Describe("an armed attack on the embassy in Tehran this January, killing", kSeed001),
            V({"this January|MONTH|2023-01-01|MONTH"}));
  EXPECT_EQ(
      Describe("In October, the construction of the Aghband road bridge kicked off", kSeed001),
      V({"In October|MONTH|2023-10-01|MONTH"}));
  EXPECT_EQ(Describe("Earlier in November, Iran's Foreign Minister said", kSeed000),
            V({"Earlier in November|MONTH|2021-11-01|MONTH"}));
  EXPECT_EQ(Describe("held two-day joint naval exercises in the Caspian Sea in November", kSeed004),
            V({"in November|MONTH|2024-11-01|MONTH"}));
  EXPECT_EQ(Describe("saw a significant development in March when both", kSeed004),
            V({"in March|MONTH|2025-03-01|MONTH"}));
  // The same month as publication counts as "in April".
  EXPECT_EQ(Describe("in April the sides met", kSeed004), V({"in April|MONTH|2025-04-01|MONTH"}));
  EXPECT_EQ(Describe("last April the sides met", kSeed004),
            V({"last April|MONTH|2024-04-01|MONTH"}));
  EXPECT_EQ(Describe("next March the sides meet", kSeed004),
            V({"next March|MONTH|2026-03-01|MONTH|future"}));
  EXPECT_EQ(Describe("a January 2023 attack on Azerbaijan's embassy", kSeed004),
            V({"January 2023|MONTH_YEAR|2023-01-01|MONTH"}));
  EXPECT_EQ(Describe("a deadly clash in the Galwan valley in June 2020 that killed 20"),
            V({"in June 2020|MONTH_YEAR|2020-06-01|MONTH"}));
  // "May" the name and the modal verb are not months.
  EXPECT_TRUE(Describe("Theresa May said talks may resume", kSeed004).empty());
  EXPECT_EQ(Describe("in May talks resumed", kSeed004), V({"in May|MONTH|2024-05-01|MONTH"}));
}

TEST(TemporalTest, WeekdaysAreTheLatestOnOrBeforePublication) {
  EXPECT_EQ(Describe("an Iranian government official said on Monday.", kSeed000),
            V({"on Monday|WEEKDAY|2021-11-22|DAY"}));
  EXPECT_EQ(Describe("said that Mustafayev's Sunday visit to Tehran was", kSeed000),
            V({"Sunday|WEEKDAY|2021-11-21|DAY"}));
  EXPECT_EQ(Describe("at the Zagulba Presidential Palace on Monday afternoon, followed", kSeed004),
            V({"on Monday afternoon|WEEKDAY|2025-04-28|DAY"}));
  EXPECT_EQ(Describe("met in Moscow on Friday for the first round", absl::CivilDay(2022, 1, 14)),
            V({"on Friday|WEEKDAY|2022-01-14|DAY"}));
  EXPECT_EQ(Describe("last Tuesday they met", kSeed004),
            V({"last Tuesday|WEEKDAY|2025-04-22|DAY"}));
  EXPECT_TRUE(Describe("according to The Sunday Times report", kSeed004).empty());
  EXPECT_EQ(Describe("on Sunday Iranian officials said", kSeed004),
            V({"on Sunday|WEEKDAY|2025-04-27|DAY"}));
  EXPECT_EQ(Describe("they will meet on Friday", kSeed004),
            V({"on Friday|WEEKDAY|2025-05-02|DAY|future"}));
}

TEST(TemporalTest, RelativePeriods) {
  EXPECT_EQ(Describe("Last week, Pezeshkian expressed hopes", kSeed004),
            V({"Last week|RELATIVE|2025-04-21|DAY"}));
  EXPECT_EQ(Describe("Trade exceeded $3 billion last year, the Kremlin said",
                     absl::CivilDay(2022, 2, 22)),
            V({"last year|RELATIVE|2021-01-01|YEAR"}));
  EXPECT_EQ(
      Describe("Trade reached $118 billion in the last fiscal year", absl::CivilDay(2024, 10, 23)),
      V({"in the last fiscal year|RELATIVE|2023-01-01|YEAR"}));
  EXPECT_EQ(Describe("Charter flights are due to resume next month.", absl::CivilDay(2022, 1, 14)),
            V({"next month|RELATIVE|2022-02-01|MONTH|future"}));
  EXPECT_EQ(Describe("they met last month", kSeed004), V({"last month|RELATIVE|2025-03-01|MONTH"}));
  EXPECT_EQ(Describe("two weeks ago they met", kSeed004),
            V({"two weeks ago|RELATIVE|2025-04-15|DAY"}));
  EXPECT_EQ(Describe("endorsed this week's border agreement", absl::CivilDay(2024, 10, 23)),
            V({"this week|RELATIVE|2024-10-21|DAY"}));
  EXPECT_EQ(Describe("the statement came yesterday", kSeed004),
            V({"yesterday|RELATIVE|2025-04-28|DAY"}));
}

TEST(TemporalTest, LastDaysOfTheYear) {
  EXPECT_EQ(Describe("the initial opening of the bridge in the last days of the year", kSeed001),
            V({"in the last days of the year|RELATIVE|2023-12-01|MONTH"}));
  EXPECT_EQ(Describe("the bridge opened in the last days of the year", absl::CivilDay(2024, 1, 4)),
            V({"in the last days of the year|RELATIVE|2023-12-01|MONTH"}));
  // "the last years of the Soviet Union" is not a time.
  EXPECT_TRUE(Describe("dates back to the last years of the Soviet Union", kSeed001).empty());
}

TEST(TemporalTest, YearsNeedACue) {
  EXPECT_EQ(Describe("It is noteworthy that in 2023, rail transit grew"),
            V({"in 2023|YEAR|2023-01-01|YEAR"}));
  EXPECT_EQ(Describe("The border has been closed since 1993."),
            V({"since 1993|SINCE|1993-01-01|YEAR|range"}));
  EXPECT_EQ(Describe("a security cooperation pact signed in 2001."),
            V({"in 2001|YEAR|2001-01-01|YEAR"}));
  EXPECT_EQ(Describe("the last days of the Soviet Union. A first war in the early 1990s killed"),
            V({"in the early 1990s|DECADE|1990-01-01|YEAR|range"}));
  EXPECT_TRUE(Describe("Pay ABC 2000 now").empty());
  EXPECT_TRUE(Describe("about 650 people gathered").empty());
  EXPECT_TRUE(Describe("a crowd of 2000 gathered").empty());
  EXPECT_TRUE(Describe("a crowd of 2000 people").empty());
  EXPECT_EQ(Describe("the second Karabakh war of 2020, which ended"),
            V({"of 2020|YEAR|2020-01-01|YEAR"}));
  EXPECT_TRUE(Describe("the G2000 forum and the Su-2000 jet").empty());
  EXPECT_EQ(Describe("between 1993 and 1994 the war raged"),
            V({"between 1993 and 1994|YEAR_RANGE|1993-01-01|YEAR|range"}));
  EXPECT_EQ(Describe("by mid-2020 it was done"), V({"by mid-2020|YEAR|2020-01-01|YEAR"}));
}

TEST(TemporalTest, PartsOfPeriods) {
  EXPECT_EQ(Describe("at the end of 2023 the bridge opened"),
            V({"end of 2023|YEAR|2023-01-01|YEAR"}));
  EXPECT_EQ(Describe("earlier this month the sides met", kSeed004),
            V({"earlier this month|RELATIVE|2025-04-01|MONTH"}));
  EXPECT_EQ(Describe("the bridge opens by the end of the month", kSeed004),
            V({"by the end of the month|RELATIVE|2025-04-01|MONTH"}));
  EXPECT_EQ(Describe("talks resumed in early March", kSeed004),
            V({"in early March|MONTH|2025-03-01|MONTH"}));
  EXPECT_EQ(Describe("at the end of last year", kSeed004),
            V({"end of last year|RELATIVE|2024-12-01|MONTH"}));
}

TEST(TemporalTest, HostileInputsFinishAndStayBounded) {
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "within two weeks in 2020 on Monday 1960-1961 ";
  auto e = Find(many, kSeed004);
  EXPECT_GE(e.size(), 20000u);
  std::string digits(100000, '1');
  EXPECT_TRUE(Find(digits).empty());
  std::string dots;
  for (int i = 0; i < 50000; ++i) dots += "1.";
  EXPECT_TRUE(Find(dots).empty());
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>((i * 7919) % 256));
  Find(bytes, kSeed004);  // must not crash
}

TEST(TemporalTest, YearRangesAreTimesNotNumbers) {
  EXPECT_EQ(Describe("The 1960-1961 talks failed"),
            V({"1960-1961|YEAR_RANGE|1960-01-01|YEAR|range"}));
  auto e = Find("The 1960-1961 talks failed");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].last, absl::CivilDay(1961, 12, 31));
  EXPECT_EQ(Describe("the 2020-21 season"), V({"2020-21|YEAR_RANGE|2020-01-01|YEAR|range"}));
}

TEST(TemporalTest, WithinAndVague) {
  auto e = Find("agreed on Friday to reopen their embassies within two months",
                absl::CivilDay(2023, 3, 10));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].kind, TimeKind::kWithin);
  EXPECT_TRUE(e[1].future);
  EXPECT_EQ(e[1].start, absl::CivilDay(2023, 3, 10));
  EXPECT_EQ(e[1].last, absl::CivilDay(2023, 5, 9));
  // Anchored on the earlier date of the sentence, not on publication.
  auto past =
      Find("In September 2023, 100,000 people left within a week", absl::CivilDay(2023, 10, 3));
  ASSERT_EQ(past.size(), 2u);
  EXPECT_FALSE(past[1].future);
  EXPECT_EQ(past[1].start, absl::CivilDay(2023, 9, 1));
  EXPECT_EQ(Describe("Visits will continue in the coming days", kSeed000),
            V({"in the coming days|VAGUE|-|UNSPECIFIED|future"}));
  EXPECT_EQ(Describe("relations soured in recent months", kSeed000),
            V({"in recent months|VAGUE|-|UNSPECIFIED"}));
}

TEST(TemporalTest, NegationAndNumbersAreNotTimes) {
  EXPECT_TRUE(Describe("No talks were held, and 650 soldiers did not leave", kSeed004).empty());
  EXPECT_TRUE(Describe("The 43-point document commits Baku", kSeed004).empty());
  EXPECT_TRUE(Describe("their first formal talks in five years", kSeed004).empty());
}

}  // namespace
}  // namespace relmon::extraction
