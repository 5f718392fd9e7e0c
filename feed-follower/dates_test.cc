#include "feed-follower/dates.h"

#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(DatesTest, Rfc822Forms) {
  EXPECT_EQ(ParseRfc822Date("Mon, 22 Nov 2021 12:00:00 GMT"), Utc(2021, 11, 22, 12, 0, 0));
  EXPECT_EQ(ParseRfc822Date("22 Nov 2021 15:30:00 +0300"), Utc(2021, 11, 22, 12, 30, 0));
  EXPECT_EQ(ParseRfc822Date("Tue, 3 Jan 23 07:05 EST"), Utc(2023, 1, 3, 12, 5, 0));
  EXPECT_EQ(ParseRfc822Date("Sunday, 05 May 2024 00:00:00 -0130"), Utc(2024, 5, 5, 1, 30, 0));
  EXPECT_FALSE(ParseRfc822Date("yesterday").has_value());
  EXPECT_FALSE(ParseRfc822Date("31 Feb 2021 10:00:00 GMT").has_value());
  EXPECT_FALSE(ParseRfc822Date("22 Foo 2021 10:00:00 GMT").has_value());
}

TEST(DatesTest, Rfc3339Forms) {
  EXPECT_EQ(ParseRfc3339Date("2021-11-22T12:00:00Z"), Utc(2021, 11, 22, 12, 0, 0));
  EXPECT_EQ(ParseRfc3339Date("2021-11-22T12:00:00+03:00"), Utc(2021, 11, 22, 9, 0, 0));
  EXPECT_EQ(ParseRfc3339Date("2021-11-22T12:00:00.250-01:00"),
            Utc(2021, 11, 22, 13, 0, 0) + absl::Milliseconds(250));
  EXPECT_EQ(ParseRfc3339Date("2021-11-22"), Utc(2021, 11, 22, 0, 0, 0));
  EXPECT_FALSE(ParseRfc3339Date("2021-13-01T00:00:00Z").has_value());
  EXPECT_FALSE(ParseRfc3339Date("22.11.2021").has_value());
  EXPECT_EQ(ParseFeedDate("Mon, 22 Nov 2021 12:00:00 GMT"), Utc(2021, 11, 22, 12, 0, 0));
}

}  // namespace
}  // namespace relmon::feeds
