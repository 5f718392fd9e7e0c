#include "query-service/figure_disputes.h"

#include "gtest/gtest.h"
#include "query-service/test_fixtures.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

v1::Figure Border(const std::string& id, double metres, const std::string& article,
                  const std::string& source) {
  return MakeFigure(id, "border_length", "Azerbaijan–Iran border", "az-ir border", {"AZ", "IR"},
                    metres, "m",
                    Cite(article, "2021-11-22", "border of " + std::to_string(metres), 0, source));
}

TEST(FigureDisputesTest, WithinTwoPercentIsTheSameValue) {
  EXPECT_FALSE(
      BuildDispute({Border("a", 132000, "x", "AA"), Border("b", 131000, "y", "BB")}).has_value());
  EXPECT_FALSE(
      BuildDispute({Border("a", 100000, "x", "AA"), Border("b", 102000, "y", "BB")}).has_value());
  EXPECT_TRUE(
      BuildDispute({Border("a", 100000, "x", "AA"), Border("b", 102100, "y", "BB")}).has_value());
}

TEST(FigureDisputesTest, DisagreementListsOneClaimPerValueAndSource) {
  auto d = BuildDispute({Border("a", 132000, "x", "AA"), Border("b", 44000, "y", ""),
                         Border("c", 132000, "z", "AA"), Border("d", 132500, "w", "CC")});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->min_value(), 44000);
  EXPECT_EQ(d->max_value(), 132500);
  EXPECT_EQ(d->unit(), "m");
  ASSERT_EQ(d->claims_size(), 3);  // 44 km (y), 132 km (AA once), 132.5 km (CC)
  EXPECT_EQ(d->claims(0).value(), 44000);
  ASSERT_EQ(d->parties_size(), 2);
}

TEST(FigureDisputesTest, OneConvertedFigureIsNeverTwoClaims) {
  // "132-kilometer (82-miles)" arrives as one figure; alone it is no dispute.
  auto f = Border("a", 132000, "x", "AA");
  f.set_original_text("132-kilometer (82-miles)");
  EXPECT_FALSE(BuildDispute({f}).has_value());
}

TEST(FigureDisputesTest, RangesThatOverlapAgree) {
  auto range = Border("a", 1.5e9, "x", "AA");
  range.set_upper_value(2e9);
  EXPECT_FALSE(BuildDispute({range, Border("b", 1.8e9, "y", "BB")}).has_value());
  EXPECT_TRUE(BuildDispute({range, Border("b", 3e9, "y", "BB")}).has_value());
}

}  // namespace
}  // namespace relmon::query
