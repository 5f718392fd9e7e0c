// Unit tests of figure attribution: borders and named lines, incidents kept
// apart, durations that are not lengths, years that are not figures.
#include "ingest-service/extraction/figure_attribution.h"

#include <gtest/gtest.h>

#include "ingest-service/extraction/test_util.h"

namespace relmon::extraction {
namespace {

using testing::GetStages;
using testing::MakeSentence;

const FigureAttributor& Attributor() {
  static const FigureAttributor* a = [] {
    auto f = FigureAttributor::Create(RELMON_TEST_DATA_DIR, GetStages().gazetteer.get());
    if (!f.ok()) ADD_FAILURE() << f.status();
    return f->release();
  }();
  return *a;
}

std::vector<relations::v1::Figure> Figures(absl::string_view text, absl::CivilDay day,
                                           std::vector<std::string> main_dyad = {}) {
  SentenceContext s = MakeSentence(text, day);
  ArticleContext a;
  a.day = day;
  a.main_dyad = std::move(main_dyad);
  std::vector<EventFact> events;
  GetStages().events->Find(s, a, &events);
  std::vector<relations::v1::Figure> out;
  for (const FigureMention& m : FindFigures(*GetStages().text->figures, text)) {
    relations::v1::Figure f;
    int agreement = -1;
    if (Attributor().Attribute(m, s, a, 0, {}, events, &f, &agreement)) {
      f.set_value(m.value);
      f.set_unit(m.unit);
      out.push_back(f);
    }
  }
  return out;
}

TEST(FigureAttributionTest, BorderWithTheCountryAfterWith) {
  auto f = Figures("Iran shares a 132-kilometer (82-miles) border with Azerbaijan.",
                   absl::CivilDay(2021, 11, 22));
  ASSERT_EQ(f.size(), 1u);  // 82 miles is the same figure
  EXPECT_EQ(f[0].quantity(), "border_length");
  EXPECT_EQ(f[0].subject_key(), "border:AZ-IR");
  EXPECT_DOUBLE_EQ(f[0].value(), 132000);
  auto g = Figures("Iran, sharing a border with both countries, stressed stability along its "
                   "44-kilometer frontier with Azerbaijan.",
                   absl::CivilDay(2025, 4, 29), {"AZ", "IR"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].subject_key(), "border:AZ-IR");
}

TEST(FigureAttributionTest, NamedLineIsTheBorderOfItsPair) {
  auto f = Figures("India puts the length of the Line of Actual Control, the de facto border, at "
                   "3,488 kilometres.",
                   absl::CivilDay(2024, 10, 21));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].subject_key(), "border:CN-IN");
  ASSERT_EQ(f[0].parties_size(), 2);
}

TEST(FigureAttributionTest, DurationsAndYearsAreNotLengths) {
  auto f = Figures("In 2020, a 44-day war ended with a ceasefire.", absl::CivilDay(2023, 10, 3),
                   {"AM", "AZ"});
  for (const auto& x : f) {
    EXPECT_NE(x.quantity(), "length");
    EXPECT_NE(x.quantity(), "border_length");
    EXPECT_NE(x.value(), 2020);
  }
}

TEST(FigureAttributionTest, DifferentIncidentsHaveDifferentKeys) {
  auto a = Figures("A clash in the Galwan valley in June 2020 killed 20 Indian soldiers.",
                   absl::CivilDay(2024, 10, 21), {"CN", "IN"});
  auto b = Figures("A first war in the early 1990s killed about 30,000 people.",
                   absl::CivilDay(2024, 10, 21), {"CN", "IN"});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].quantity(), "killed");
  EXPECT_EQ(b[0].quantity(), "killed");
  EXPECT_NE(a[0].subject_key(), b[0].subject_key());
}

}  // namespace
}  // namespace relmon::extraction
