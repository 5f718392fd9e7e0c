#include "ingest-service/extraction/text/figures.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using testing::Tables;

std::vector<FigureMention> Find(absl::string_view sentence) {
  return FindFigures(*Tables().figures, sentence);
}

// The single figure of `sentence` (fails the test otherwise).
FigureMention One(absl::string_view sentence) {
  auto figures = Find(sentence);
  EXPECT_EQ(figures.size(), 1u) << sentence;
  if (figures.empty()) return {};
  return figures[0];
}

TEST(FiguresTest, BorderWithParentheticalConversionIsOneFigure) {
  const std::string s =
      "Iran shares a 132-kilometer (82-miles) border with Azerbaijan, which has been a source "
      "of tension between them in recent months.";
  FigureMention f = One(s);
  EXPECT_EQ(f.original_text, "132-kilometer (82-miles)");
  EXPECT_EQ(f.span.In(s), f.original_text);
  EXPECT_DOUBLE_EQ(f.value, 132000);
  EXPECT_DOUBLE_EQ(f.upper_value, 132000);
  EXPECT_EQ(f.unit, "m");
  EXPECT_EQ(f.quantity, "border_length");
  EXPECT_EQ(f.head_phrase, "border");
  EXPECT_NE(f.note.find("agrees"), std::string::npos) << f.note;
}

TEST(FiguresTest, MismatchedConversionIsNoted) {
  FigureMention f = One("a 132-kilometer (50-miles) border");
  EXPECT_DOUBLE_EQ(f.value, 132000);
  EXPECT_NE(f.note.find("disagrees"), std::string::npos) << f.note;
}

TEST(FiguresTest, FrontierAndRailway) {
  FigureMention frontier =
      One("Iran, sharing a northern border with both countries, has consistently underscored its "
          "interest in regional stability, particularly along its 44-kilometer frontier with "
          "Azerbaijan.");
  EXPECT_DOUBLE_EQ(frontier.value, 44000);
  EXPECT_EQ(frontier.quantity, "border_length");
  EXPECT_EQ(frontier.head_phrase, "frontier");

  auto figures = Find(
      "According to a contract between Iran and Russia for the construction operation of the "
      "Rasht-Astara Railway, the 162-km railway will be constructed through a financing scheme "
      "by the Russian side, with a contract amount of €1.6 billion.");
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_DOUBLE_EQ(figures[0].value, 162000);
  EXPECT_EQ(figures[0].unit, "m");
  EXPECT_EQ(figures[0].quantity, "length");
  EXPECT_EQ(figures[0].head_phrase, "railway");
  EXPECT_DOUBLE_EQ(figures[1].value, 1.6e9);
  EXPECT_EQ(figures[1].unit, "EUR");
  EXPECT_EQ(figures[1].quantity, "cost");
  EXPECT_EQ(figures[1].original_text, "€1.6 billion");
}

TEST(FiguresTest, GrowthAndFreight) {
  auto figures = Find(
      "It is noteworthy that in 2023, rail transit between Iran and Azerbaijan recorded a 47 "
      "percent growth with the transit of more than 700,000 tons of freight.");
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_DOUBLE_EQ(figures[0].value, 47);
  EXPECT_EQ(figures[0].unit, "%");
  EXPECT_EQ(figures[0].quantity, "growth");
  EXPECT_DOUBLE_EQ(figures[1].value, 7e8);
  EXPECT_EQ(figures[1].unit, "kg");
  EXPECT_EQ(figures[1].quantity, "freight");
  EXPECT_EQ(figures[1].qualifier, "more than");
  EXPECT_EQ(figures[1].head_phrase, "freight");
}

TEST(FiguresTest, CountsOfPeople) {
  FigureMention detained =
      One("The detention of two Iranian drivers further escalated tensions between the two sides.");
  EXPECT_DOUBLE_EQ(detained.value, 2);
  EXPECT_EQ(detained.unit, "count");
  EXPECT_EQ(detained.quantity, "detained");
  EXPECT_EQ(detained.head_phrase, "Iranian drivers");

  auto attack = Find(
      "Diplomatic activities at the Azerbaijani embassy in Tehran were completely suspended "
      "after an Iranian national carried out an armed attack on the Azerbaijan embassy in Tehran "
      "this January, killing an Azerbaijani security officer and injuring two others.");
  ASSERT_EQ(attack.size(), 2u);
  EXPECT_EQ(attack[0].quantity, "killed");
  EXPECT_DOUBLE_EQ(attack[0].value, 1);
  EXPECT_EQ(attack[1].quantity, "injured");
  EXPECT_DOUBLE_EQ(attack[1].value, 2);

  FigureMention galwan =
      One("The agreement covers the Depsang and Demchok areas, where troops of the two sides have "
          "faced each other since a deadly clash in the Galwan valley in June 2020 that killed 20 "
          "Indian soldiers.");
  EXPECT_DOUBLE_EQ(galwan.value, 20);
  EXPECT_EQ(galwan.quantity, "killed");
  EXPECT_EQ(galwan.head_phrase, "Indian soldiers");

  auto war = Find(
      "A first war in the early 1990s killed about 30,000 people and ended with a ceasefire in "
      "1994, and the UN Security Council adopted four resolutions in 1993 demanding the "
      "withdrawal of occupying forces.");
  ASSERT_EQ(war.size(), 1u);
  EXPECT_DOUBLE_EQ(war[0].value, 30000);
  EXPECT_EQ(war[0].quantity, "killed");
  EXPECT_EQ(war[0].qualifier, "about");

  auto left = Find(
      "In September 2023, a one-day military operation by Azerbaijan led the separatist "
      "authorities to agree to disarm, and more than 100,000 ethnic Armenians left the region "
      "for Armenia within a week.");
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].quantity, "duration");
  EXPECT_DOUBLE_EQ(left[0].value, 86400);
  EXPECT_EQ(left[1].quantity, "displaced");
  EXPECT_DOUBLE_EQ(left[1].value, 100000);
  EXPECT_EQ(left[1].qualifier, "more than");

  FigureMention words = One("Thirty-eight of the 67 passengers were killed.");
  EXPECT_DOUBLE_EQ(words.value, 38);
  EXPECT_EQ(words.quantity, "killed");

  FigureMention soldier = One("A Chinese soldier was killed in the clash.");
  EXPECT_DOUBLE_EQ(soldier.value, 1);
  EXPECT_EQ(soldier.quantity, "killed");
  EXPECT_TRUE(Find("A Chinese soldier said the clash was over.").empty());

  FigureMention dozens = One("Dozens were killed in the clashes.");
  EXPECT_DOUBLE_EQ(dozens.value, 12);
  EXPECT_EQ(dozens.quantity, "killed");
}

TEST(FiguresTest, LengthsOfTheLineOfActualControl) {
  FigureMention india =
      One("India puts the length of the Line of Actual Control, the de facto border, at 3,488 "
          "kilometres.");
  EXPECT_DOUBLE_EQ(india.value, 3488000);
  EXPECT_EQ(india.quantity, "border_length");
  EXPECT_EQ(india.head_phrase, "Line of Actual Control");

  FigureMention china =
      One("Beijing, which counts the frontier at about 2,000 kilometres, has long disputed New "
          "Delhi's figure for the length of the Line of Actual Control.");
  EXPECT_DOUBLE_EQ(china.value, 2000000);
  EXPECT_EQ(china.quantity, "border_length");
  EXPECT_EQ(china.qualifier, "about");
}

TEST(FiguresTest, MoneyTradeAndReserves) {
  FigureMention trade =
      One("Trade between the two countries exceeded $3 billion last year, the "
          "Kremlin said.");
  EXPECT_DOUBLE_EQ(trade.value, 3e9);
  EXPECT_EQ(trade.unit, "USD");
  EXPECT_EQ(trade.quantity, "trade");
  EXPECT_EQ(trade.qualifier, "more than");
  EXPECT_EQ(trade.original_text, "$3 billion");

  FigureMention trade2 =
      One("Trade between the two countries reached $118 billion in the last "
          "fiscal year, Indian data show.");
  EXPECT_DOUBLE_EQ(trade2.value, 118e9);
  EXPECT_EQ(trade2.quantity, "trade");

  FigureMention reserves =
      One("Officials estimate its reserves at about 50 million tonnes of oil.");
  EXPECT_DOUBLE_EQ(reserves.value, 5e10);
  EXPECT_EQ(reserves.unit, "kg");
  EXPECT_EQ(reserves.quantity, "reserves");

  FigureMention manat = One("The project will cost 500 million manat.");
  EXPECT_DOUBLE_EQ(manat.value, 5e8);
  EXPECT_EQ(manat.unit, "AZN");
  EXPECT_EQ(manat.quantity, "cost");

  FigureMention code = One("The loan of USD 250 million was approved.");
  EXPECT_DOUBLE_EQ(code.value, 2.5e8);
  EXPECT_EQ(code.unit, "USD");

  FigureMention bn = One("Iran invested $3bn in the project.");
  EXPECT_DOUBLE_EQ(bn.value, 3e9);
  EXPECT_EQ(bn.quantity, "cost");

  FigureMention euros = One("The deal is worth 40 million euros.");
  EXPECT_DOUBLE_EQ(euros.value, 4e7);
  EXPECT_EQ(euros.unit, "EUR");
}

TEST(FiguresTest, RangesAndRates) {
  FigureMention gas = One("Azerbaijan will supply between 1.5 and 2 billion cubic meters a year.");
  EXPECT_DOUBLE_EQ(gas.value, 1.5e9);
  EXPECT_DOUBLE_EQ(gas.upper_value, 2e9);
  EXPECT_EQ(gas.unit, "m3/year");
  EXPECT_EQ(gas.qualifier, "between");
  FigureMention dash = One("Between 10-15 people were killed.");
  EXPECT_DOUBLE_EQ(dash.value, 10);
  EXPECT_DOUBLE_EQ(dash.upper_value, 15);
  EXPECT_EQ(dash.quantity, "killed");
}

TEST(FiguresTest, DurationsOnlyWhenAttributive) {
  FigureMention war = One("In 2020, a 44-day war ended with a Russian-brokered ceasefire.");
  EXPECT_EQ(war.quantity, "duration");
  EXPECT_EQ(war.unit, "s");
  EXPECT_DOUBLE_EQ(war.value, 44 * 86400.0);
  EXPECT_EQ(war.head_phrase, "war");
  EXPECT_TRUE(Find("their first formal bilateral talks in five years").empty());
  EXPECT_TRUE(Find("after four days of talks between the sides").empty());
}

TEST(FiguresTest, NeverFigures) {
  EXPECT_TRUE(Find("The 1960-1961 talks failed.").empty());
  EXPECT_TRUE(Find("The file dated 31.02.2023 was lost.").empty());
  EXPECT_TRUE(Find("It is noteworthy that in 2023, the sides met on December 26, 2023.").empty());
  EXPECT_TRUE(Find("the first round of talks and the 2nd meeting").empty());
  EXPECT_TRUE(Find("Article 5 of the treaty and Resolution 2231 apply").empty());
  EXPECT_TRUE(Find("the G20 summit and Su-35 jets and COVID-19").empty());
  EXPECT_TRUE(Find("The 43-point document commits Baku and Moscow.").empty());
  EXPECT_TRUE(Find("Last update: May 25, 2024 21:17").empty());
  EXPECT_TRUE(Find("Pay ABC 2000 now").empty());
  // A bare count without anything saying what it counts.
  EXPECT_TRUE(Find("about 650").empty());
  EXPECT_TRUE(Find("the two countries and the two leaders").empty());
  FigureMention people = One("about 650 people were killed");
  EXPECT_DOUBLE_EQ(people.value, 650);
  EXPECT_EQ(people.qualifier, "about");
}

TEST(FiguresTest, HostileNumbers) {
  EXPECT_TRUE(Find("a value of 1e309 km").empty());
  EXPECT_TRUE(Find("a road of 99999999999999999999 km").empty());
  EXPECT_TRUE(Find("a road of 1,000,000,000,000,000,000,000 km").empty());
  for (const auto& f : Find("999999999999999 trillion dollars and 12345678901234567890123 tons")) {
    EXPECT_LE(f.value, 1e18);
  }
  FigureMention negative = One("GDP growth of -2.5% was recorded");
  EXPECT_DOUBLE_EQ(negative.value, -2.5);
  EXPECT_EQ(negative.unit, "%");
  // A dash before a length is a bullet, not a sign.
  FigureMention bullet = One("- 50 km of road were built");
  EXPECT_DOUBLE_EQ(bullet.value, 50000);
}

TEST(FiguresTest, Negation) {
  FigureMention f = One("Officials said no 20 soldiers were killed, denying reports.");
  EXPECT_TRUE(f.negated);
  FigureMention g = One("The clash killed 20 soldiers.");
  EXPECT_FALSE(g.negated);
}

TEST(FiguresTest, LongAttributesAndUnits) {
  FigureMention rail = One("Iran will build a 162 km-long railway to the Caspian coast.");
  EXPECT_DOUBLE_EQ(rail.value, 162000);
  EXPECT_EQ(rail.quantity, "length");
  FigureMention gas = One("Azerbaijan will supply 10 bcm of gas to Europe.");
  EXPECT_DOUBLE_EQ(gas.value, 1e10);
  EXPECT_EQ(gas.unit, "m3");
  EXPECT_EQ(gas.quantity, "supply");
  FigureMention oil = One("The pipeline carries 1.2 million barrels per day.");
  EXPECT_DOUBLE_EQ(oil.value, 1.2e6);
  EXPECT_EQ(oil.unit, "bbl/day");
  FigureMention pct = One("Exports rose 12% in the first quarter.");
  EXPECT_DOUBLE_EQ(pct.value, 12);
  EXPECT_EQ(pct.unit, "%");
  EXPECT_EQ(pct.quantity, "growth");
  FigureMention usd = One("They signed a deal worth US$2.5 billion.");
  EXPECT_DOUBLE_EQ(usd.value, 2.5e9);
  EXPECT_EQ(usd.unit, "USD");
  EXPECT_EQ(usd.quantity, "cost");
  FigureMention toll = One("The death toll rose to 35, officials said.");
  EXPECT_DOUBLE_EQ(toll.value, 35);
  EXPECT_EQ(toll.quantity, "killed");
}

TEST(FiguresTest, HostileInputsFinish) {
  std::string nested;
  for (int i = 0; i < 20000; ++i) nested += "1 km (";
  EXPECT_FALSE(Find(nested).empty());
  std::string commas = "1";
  for (int i = 0; i < 30000; ++i) commas += ",000";
  EXPECT_TRUE(Find(commas + " km").empty());
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "killed 20 soldiers and a 5 km border, ";
  EXPECT_EQ(Find(many).size(), 10000u);
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>((i * 7919) % 256));
  Find(bytes);  // must not crash
}

TEST(FigureTablesTest, MissingDataIsAnError) {
  auto missing = FigureTables::Load("/nonexistent-dir", RELMON_TEXT_TEST_ISO_CODES_DIR);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  auto no_iso = FigureTables::Load(RELMON_TEXT_TEST_DATA_DIR, "/nonexistent-dir");
  EXPECT_EQ(no_iso.status().code(), absl::StatusCode::kNotFound);
}

TEST(FiguresTest, ReusesTimeExpressions) {
  const std::string s = "In 2023, rail transit recorded a 47 percent growth with 2,000 tons.";
  auto times = FindTimeExpressions(Tables().dates, s, absl::CivilDay(2023, 12, 29));
  auto with = FindFigures(*Tables().figures, s, times);
  auto without = Find(s);
  ASSERT_EQ(with.size(), without.size());
  ASSERT_EQ(with.size(), 2u);
  EXPECT_EQ(with[0].span, without[0].span);
  EXPECT_EQ(with[1].value, without[1].value);
}

TEST(FiguresTest, OffsetsAreInTheSentence) {
  const std::string s = "The bridge is 1.6 km long and cost €20 million.";
  auto figures = Find(s);
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_EQ(figures[0].span.In(s), "1.6 km");
  EXPECT_DOUBLE_EQ(figures[0].value, 1600);
  EXPECT_EQ(figures[1].span.In(s), "€20 million");
  EXPECT_EQ(figures[1].quantity, "cost");
}

}  // namespace
}  // namespace relmon::extraction
