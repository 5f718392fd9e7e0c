#include "query-service/event_clustering.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "query-service/corpus_fixtures.h"

namespace relmon::query {
namespace {

using namespace ::relmon::query::testing;  // NOLINT
namespace v1 = relations::v1;

TEST(EventClusteringTest, DaysWithinOneDayMergeAndMonthJoinsItsDay) {
  std::vector<v1::Event> reports = {
      Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2021-11-21", kVisit,
             Cite("a", "2021-11-22", "Sunday visit")),
      Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2021-11-22", kVisit,
             Cite("b", "2021-11-22", "visit Monday")),
      Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2021-11", kVisit,
             Cite("c", "2021-12-01", "in November")),
      Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "2021-11-25", kVisit,
             Cite("d", "2021-11-26", "another visit")),
      Report(v1::EVENT_TYPE_VISIT, "AZ", "IR", "", kVisit, Cite("e", "", "undated visit")),
  };
  auto events = ClusterReports("AZ|IR", reports);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].report_count(), 3);
  EXPECT_EQ(events[0].date_precision(), v1::DATE_PRECISION_DAY);
  EXPECT_EQ(events[1].report_count(), 1);
  EXPECT_FALSE(events[2].has_occurred_at());  // undated last
}

TEST(EventClusteringTest, YearReportsJoinTheFirstEventOfTheYearAndDaysNeverCrossAYear) {
  std::vector<v1::Event> reports = {
      Report(v1::EVENT_TYPE_MEETING, "AM", "AZ", "2022-12-31", kMeeting,
             Cite("a", "2023-01-02", "new year's eve")),
      Report(v1::EVENT_TYPE_MEETING, "AM", "AZ", "2023-01-01", kMeeting,
             Cite("b", "2023-01-02", "new year")),
      Report(v1::EVENT_TYPE_MEETING, "AM", "AZ", "2023", kMeeting,
             Cite("c", "2023-12-30", "in 2023")),
      Report(v1::EVENT_TYPE_MEETING, "AM", "AZ", "2021", kMeeting,
             Cite("d", "2021-12-30", "in 2021")),
  };
  auto events = ClusterReports("AM|AZ", reports);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].date_precision(), v1::DATE_PRECISION_YEAR);  // 2021
  EXPECT_EQ(events[1].report_count(), 1);                          // 2022-12-31
  EXPECT_EQ(events[2].report_count(), 2);                          // 2023-01-01 + "in 2023"
  EXPECT_EQ(events[2].date_precision(), v1::DATE_PRECISION_DAY);
}

TEST(EventClusteringTest, ResultDoesNotDependOnOrder) {
  auto articles = SeedArticles();
  std::vector<v1::Event> reports;
  for (const auto& a : articles) {
    for (const auto& e : a.events) {
      if (e.type() == v1::EVENT_TYPE_ATTACK) reports.push_back(e);
    }
  }
  auto forward = ClusterReports("AZ|IR", reports);
  std::reverse(reports.begin(), reports.end());
  auto backward = ClusterReports("AZ|IR", reports);
  ASSERT_EQ(forward.size(), backward.size());
  for (size_t i = 0; i < forward.size(); ++i) {
    EXPECT_EQ(forward[i].SerializeAsString(), backward[i].SerializeAsString());
  }
  ASSERT_EQ(forward.size(), 1u);  // the January 2023 attack, reported twice
  EXPECT_EQ(forward[0].report_count(), 2);
  EXPECT_TRUE(forward[0].retrospective());
}

}  // namespace
}  // namespace relmon::query
