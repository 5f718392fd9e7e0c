// Unit tests of the tokenizer and cue patterns.
#include "ingest-service/extraction/tokens.h"

#include <gtest/gtest.h>

namespace relmon::extraction {
namespace {

std::vector<std::string> Lower(absl::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : Tokenize(text)) out.push_back(t.lower);
  return out;
}

TEST(TokenizeTest, SplitsPossessivesDashesAndKeepsNumbers) {
  EXPECT_EQ(Lower("Iran\xE2\x80\x99s 3,488-km border"),
            (std::vector<std::string>{"iran", "'s", "3,488", "-", "km", "border"}));
  EXPECT_EQ(Lower("Rasht\xE2\x80\x93" "Astara, U.S. 1.6"),
            (std::vector<std::string>{"rasht", "-", "astara", ",", "u.s.", "1.6"}));
  std::vector<Token> t = Tokenize("Turkey and turkey TEHRAN");
  EXPECT_TRUE(t[0].capitalized);
  EXPECT_FALSE(t[2].capitalized);
  EXPECT_TRUE(t[3].all_upper);
}

TEST(TokenizeTest, OffsetsPointIntoTheSentence) {
  absl::string_view s = "“New phase” in Baku";
  for (const Token& t : Tokenize(s)) {
    ASSERT_LE(t.end, s.size());
    if (t.lower == "baku") {
      EXPECT_EQ(s.substr(t.begin, t.end - t.begin), "Baku");
    }
  }
}

TEST(PatternSetTest, AlternativesPrefixesAndGaps) {
  PatternSet set;
  ASSERT_TRUE(set.Add("signed|inked").ok());
  ASSERT_TRUE(set.Add("accus*").ok());
  ASSERT_TRUE(set.Add("construction ... kicked off").ok());
  EXPECT_FALSE(set.Add("... bad").ok());
  EXPECT_FALSE(set.Add("ac*").ok());
  std::vector<PatternMatch> m;
  set.FindAll(Tokenize("Baku accusing Iran; the construction of the bridge kicked off"), &m);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].pattern, 1);
  EXPECT_EQ(m[1].pattern, 2);
  // A gap does not cross a semicolon.
  set.FindAll(Tokenize("construction stalled; talks kicked off"), &m);
  EXPECT_TRUE(m.empty());
}

}  // namespace
}  // namespace relmon::extraction
