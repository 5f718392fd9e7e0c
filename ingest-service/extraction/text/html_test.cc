#include "ingest-service/extraction/text/html.h"

#include "gtest/gtest.h"

namespace relmon::extraction {
namespace {

TEST(LooksLikeHtmlTest, RecognisesDocumentsAndFragments) {
  EXPECT_TRUE(LooksLikeHtml("<!DOCTYPE html><html><body><p>x</p></body></html>"));
  EXPECT_TRUE(LooksLikeHtml("  <html lang=\"en\"><head></head></html>"));
  EXPECT_TRUE(LooksLikeHtml("Intro text <p>One</p><p>Two</p>"));
  EXPECT_TRUE(LooksLikeHtml("<div class=\"article\">Body</div>"));
  EXPECT_TRUE(LooksLikeHtml("Iran <b>says</b> talks went well"));
  EXPECT_EQ(HtmlToText("Iran <b>says</b> talks went <!-- hidden --> well &amp; <i>ended</i>"),
            "Iran says talks went well & ended");
}

TEST(LooksLikeHtmlTest, PlainTextIsNotHtml) {
  EXPECT_FALSE(
      LooksLikeHtml("Politics\n\nIran, Azerbaijan enter 'new phase' in bilateral relations"));
  EXPECT_FALSE(LooksLikeHtml("if a < b and c > d then <nothing> happens"));
  EXPECT_FALSE(LooksLikeHtml(""));
}

TEST(HtmlToTextTest, DropsBoilerplateAndKeepsParagraphs) {
  const std::string html =
      "<html><head><title>T</title><style>p{color:red}</style>"
      "<script>var x = '<p>not text</p>';</script></head><body>"
      "<nav><a href=\"/\">Home</a> Menu</nav><header>Site header</header>"
      "<h1>Iran &amp; Azerbaijan enter &#8216;new phase&#8217;</h1>"
      "<p>By Nigar Bayramli December 29, 2023</p>"
      "<p>The ministers&nbsp;met   in\n Baku.<br>Second line.</p>"
      "<aside>Related: other story</aside><noscript>Enable JS</noscript>"
      "<footer>Copyright</footer></body></html>";
  EXPECT_EQ(HtmlToText(html),
            "Iran & Azerbaijan enter \xE2\x80\x98new phase\xE2\x80\x99\n\n"
            "By Nigar Bayramli December 29, 2023\n\n"
            "The ministers met in Baku.\nSecond line.");
}

TEST(HtmlToTextTest, RecoversFromBrokenMarkup) {
  EXPECT_EQ(HtmlToText("<p>Unclosed <b>bold <i>text"), "Unclosed bold text");
  EXPECT_EQ(HtmlToText("<div><p>One</div><p>Two"), "One\n\nTwo");
  EXPECT_EQ(HtmlToText(""), "");
  EXPECT_EQ(HtmlToText("<script>only()</script>"), "");
}

TEST(HtmlToTextTest, ListsAndTablesBecomeLines) {
  EXPECT_EQ(HtmlToText("<ul><li>Baku</li><li>Tehran</li></ul>"), "Baku\nTehran");
  EXPECT_EQ(HtmlToText("<table><tr><td>a</td></tr><tr><td>b</td></tr></table>"), "a\nb");
}

TEST(HtmlToTextTest, DeepNestingDoesNotCrash) {
  std::string html;
  for (int i = 0; i < 100; ++i) html += "<div>";
  EXPECT_EQ(HtmlToText(html + "deep"), "deep");
  // Beyond libxml2's depth limit the parser gives up; no crash, no hang.
  for (int i = 0; i < 100000; ++i) html += "<div>";
  std::string text = HtmlToText(html + "deeper");
  EXPECT_TRUE(text.empty() || text == "deeper") << text;
}

TEST(NormalizePlainTextTest, LineEndingsControlsAndSpaces) {
  EXPECT_EQ(NormalizePlainText("a\r\nb\rc"), "a\nb\nc");
  EXPECT_EQ(NormalizePlainText("tab\tkept\x01\x07 gone"
                               "\x7f"),
            "tab\tkept gone");
  EXPECT_EQ(NormalizePlainText("trailing   \nspaces\t\n"), "trailing\nspaces");
  EXPECT_EQ(NormalizePlainText("non\xC2\xA0"
                               "breaking"),
            "non breaking");
  EXPECT_EQ(NormalizePlainText("\n\n\nfirst\n\n\n\n\nsecond\n\n"), "first\n\nsecond");
  // A line holding only a no-break space is blank.
  EXPECT_EQ(NormalizePlainText("one\n\xC2\xA0\ntwo"), "one\n\ntwo");
  // Leading spaces of the first line are content (" date 2025-05-18 ...").
  EXPECT_EQ(NormalizePlainText(" date 2025-05-18 Baku"), " date 2025-05-18 Baku");
}

TEST(NormalizePlainTextTest, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(NormalizePlainText("bad\xFF"
                               "byte"),
            "bad\xEF\xBF\xBD"
            "byte");
  EXPECT_EQ(NormalizePlainText("Iran\xE2\x80\x99s"), "Iran\xE2\x80\x99s");
}

TEST(NormalizePlainTextTest, IsIdempotent) {
  const char* inputs[] = {"a\r\n\r\n\r\nb  \n", "x\x02y\xC2\xA0z\n\n", " date 2025\n\tz",
                          "bad\xC3(", ""};
  for (const char* input : inputs) {
    std::string once = NormalizePlainText(input);
    EXPECT_EQ(NormalizePlainText(once), once) << input;
  }
}

}  // namespace
}  // namespace relmon::extraction
