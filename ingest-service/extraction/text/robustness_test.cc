// Word-salad inputs built from the tricky tokens of news text: every stage
// must finish, stay inside its input and return finite values.
#include <cmath>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "ingest-service/extraction/text/article_header.h"
#include "ingest-service/extraction/text/figures.h"
#include "ingest-service/extraction/text/html.h"
#include "ingest-service/extraction/text/language.h"
#include "ingest-service/extraction/text/sentences.h"
#include "ingest-service/extraction/text/temporal.h"
#include "ingest-service/extraction/text/test_tables.h"

namespace relmon::extraction {
namespace {

using testing::Tables;

const char* const kPieces[] = {
    "1",      "20",     "1960",    "-",          "–",          "1961",       ".",       ",",
    "3,488",  "1.6",    "€",       "$",          "US$",        "billion",    "bn",      "km",
    "-km",    "(",      ")",       "miles",      "between",    "and",        "about",   "more than",
    "killed", "an",     "officer", "two",        "Thirty",     "-eight",     "of the",  "67",
    "on",     "Monday", "Sept.",   "28",         "December",   "26,",        "2023",    "in",
    "March",  "May",    "this",    "last",       "week",       "within",     "months",  "the",
    "early",  "1990s",  "since",   "31.02.2023", "22.11.2021", "2025-05-18", "%",       "percent",
    "tons",   "of",     "freight", "border",     "\"",         "“",          "”",       "...",
    "\n",     "\n\n",   "U.S.",    "No.",        "5",          "1e309",      "G20",     "Su-35",
    "ə",      "پ",      "Ж",       "\xFF",       "\xC3",       ":",          "21:17",   "TEHRAN",
    "|",      "By",     "Updated", "Published:", "date",       "a year",     "per day",
};

std::string Salad(std::mt19937& rng, int words) {
  std::uniform_int_distribution<size_t> pick(0, sizeof(kPieces) / sizeof(kPieces[0]) - 1);
  std::uniform_int_distribution<int> space(0, 3);
  std::string out;
  for (int i = 0; i < words; ++i) {
    if (space(rng) != 0) out.push_back(' ');
    out += kPieces[pick(rng)];
  }
  return out;
}

TEST(RobustnessTest, WordSaladKeepsInvariants) {
  std::mt19937 rng(20240601);
  const absl::CivilDay pub(2023, 12, 29);
  for (int round = 0; round < 3000; ++round) {
    const std::string text = Salad(rng, 5 + round % 60);
    for (const TextSpan& s : SplitSentences(Tables().sentences, text)) {
      ASSERT_LE(s.end, text.size());
      ASSERT_LT(s.begin, s.end);
    }
    auto times = FindTimeExpressions(Tables().dates, text, pub);
    size_t prev_end = 0;
    for (const auto& t : times) {
      ASSERT_LE(t.span.end, text.size()) << text;
      ASSERT_LT(t.span.begin, t.span.end) << text;
      ASSERT_GE(t.span.begin, prev_end) << text;  // in order, no overlaps
      prev_end = t.span.end;
      if (t.resolved) {
        ASSERT_LE(t.start, t.last) << text;
      }
    }
    for (const auto& f : FindFigures(*Tables().figures, text, times)) {
      ASSERT_LE(f.span.end, text.size()) << text;
      ASSERT_LT(f.span.begin, f.span.end) << text;
      ASSERT_EQ(f.original_text, std::string(f.span.In(text)));
      ASSERT_TRUE(std::isfinite(f.value) && std::isfinite(f.upper_value)) << text;
      ASSERT_LE(std::fabs(f.value), 1e18) << text;
      ASSERT_LE(f.value, f.upper_value) << text;
      ASSERT_FALSE(f.unit.empty()) << text;
    }
    ArticleHeader h = ParseArticleHeader(Tables().dates, text);
    ASSERT_LE(h.title_span.end, text.size());
    ASSERT_LE(h.date_span.end, text.size());
    DetectLanguage(Tables().language, text);
    std::string clean = NormalizePlainText(text);
    ASSERT_EQ(NormalizePlainText(clean), clean);
  }
}

}  // namespace
}  // namespace relmon::extraction
