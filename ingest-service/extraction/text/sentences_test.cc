#include "ingest-service/extraction/text/sentences.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using ::testing::ElementsAre;
using testing::Tables;

std::vector<std::string> Split(absl::string_view text) {
  std::vector<std::string> out;
  for (const TextSpan& span : SplitSentences(Tables().sentences, text)) {
    out.emplace_back(span.In(text));
  }
  return out;
}

TEST(SplitSentencesTest, HeaderLinesAreSentences) {
  EXPECT_THAT(
      Split("Politics\n\nIran, Azerbaijan enter 'new phase' in bilateral relations: "
            "Official\n\nTEHRAN, Iran\n\nThe recent visit was a success."),
      ElementsAre("Politics", "Iran, Azerbaijan enter 'new phase' in bilateral relations: Official",
                  "TEHRAN, Iran", "The recent visit was a success."));
}

TEST(SplitSentencesTest, AbbreviationsMonthsAndDecimals) {
  EXPECT_THAT(
      Split("Recent tensions were sparked by comments made by President Ilham Aliyev in an "
            "interview on Sept. 28, accusing Iran. The detention of two drivers followed."),
      ElementsAre("Recent tensions were sparked by comments made by President Ilham Aliyev in an "
                  "interview on Sept. 28, accusing Iran.",
                  "The detention of two drivers followed."));
  EXPECT_THAT(Split("The contract amount is €1.6 billion. The project is carried out."),
              ElementsAre("The contract amount is €1.6 billion.", "The project is carried out."));
  EXPECT_THAT(
      Split("U.S. officials met Dr. Smith and Gen. Lee in St. Petersburg. Talks ended."),
      ElementsAre("U.S. officials met Dr. Smith and Gen. Lee in St. Petersburg.", "Talks ended."));
  EXPECT_THAT(
      Split("Resolution No. 5 passed. KAZAN, Russia, Oct. 23, 2024 was the date."),
      ElementsAre("Resolution No. 5 passed.", "KAZAN, Russia, Oct. 23, 2024 was the date."));
  EXPECT_THAT(Split("J. R. Smith arrived. He left."),
              ElementsAre("J. R. Smith arrived.", "He left."));
}

TEST(SplitSentencesTest, QuotesAndEllipses) {
  EXPECT_THAT(Split("\"This visit was held in that direction. Visits will continue in the coming "
                    "days,\" Khatibzadeh told reporters. Earlier in November, he spoke."),
              ElementsAre("\"This visit was held in that direction.",
                          "Visits will continue in the coming days,\" Khatibzadeh told reporters.",
                          "Earlier in November, he spoke."));
  EXPECT_THAT(
      Split("occupation,\u201D he said.\u201CA new status quo has emerged.\u201D"),
      ElementsAre("occupation,\u201D he said.", "\u201CA new status quo has emerged.\u201D"));
  EXPECT_THAT(Split("He said \"we agree.\" Then he left."),
              ElementsAre("He said \"we agree.\"", "Then he left."));
  EXPECT_THAT(Split("Wait... what happened? Nothing... The end!"),
              ElementsAre("Wait... what happened?", "Nothing...", "The end!"));
}

TEST(SplitSentencesTest, OffsetsPointIntoTheText) {
  const std::string text = "  First one.  Second one!\n\nThird?  ";
  auto spans = SplitSentences(Tables().sentences, text);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].begin, 2u);
  EXPECT_EQ(spans[0].In(text), "First one.");
  EXPECT_EQ(spans[1].In(text), "Second one!");
  EXPECT_EQ(spans[2].In(text), "Third?");
}

TEST(SplitSentencesTest, SoftWrappedLinesJoin) {
  EXPECT_THAT(
      Split("The ministers discussed the\nlatest developments. Then\nThey left."),
      ElementsAre("The ministers discussed the\nlatest developments.", "Then", "They left."));
}

TEST(SplitSentencesTest, EmptyAndPunctuationOnly) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split(" \n\n / \n").empty());
  EXPECT_THAT(Split("on December 26, 2023. /\n\nNext."),
              ElementsAre("on December 26, 2023.", "Next."));
}

TEST(SplitSentencesTest, HostileInputsFinish) {
  std::string dots(200000, '.');
  EXPECT_TRUE(Split(dots).empty());
  std::string initials;
  for (int i = 0; i < 50000; ++i) initials += "A.B. ";
  EXPECT_EQ(Split(initials).size(), 1u);
  std::string many;
  for (int i = 0; i < 50000; ++i) many += "Go. ";
  EXPECT_EQ(Split(many).size(), 50000u);
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes.push_back(static_cast<char>((i * 7919) % 256));
  for (const TextSpan& span : SplitSentences(Tables().sentences, bytes)) {
    EXPECT_LE(span.end, bytes.size());
    EXPECT_LT(span.begin, span.end);
  }
}

TEST(SentenceTablesTest, MissingFileIsNotFound) {
  EXPECT_EQ(SentenceTables::Load("/nonexistent-dir").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace relmon::extraction
