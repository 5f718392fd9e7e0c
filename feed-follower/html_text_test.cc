#include "feed-follower/html_text.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HtmlTextTest, FragmentBecomesParagraphs) {
  EXPECT_EQ(HtmlFragmentToText("<p>Ministers met in <b>Baku</b> &amp; talked.</p><p>Second&nbsp;one.</p>"
                               "<script>var x = 1;</script>"),
            "Ministers met in Baku & talked.\n\nSecond\xC2\xA0one.");
  EXPECT_EQ(HtmlFragmentToText("  plain   text\n\nnext  "), "plain text\n\nnext");
}

TEST(HtmlTextTest, PageKeepsArticleAndDropsFurniture) {
  const char* page = R"(<html><head><title>Talks resume</title><style>p{}</style></head><body>
    <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
    <aside>Most read: celebrity news</aside>
    <article><h1>Talks resume</h1><p>The two foreign ministers met on Monday.</p>
      <form>Subscribe to our newsletter</form><p>They agreed to meet again.</p></article>
    <footer>Copyright Example Media</footer></body></html>)";
  std::string title;
  std::string text = HtmlPageToText(page, "", &title);
  EXPECT_EQ(title, "Talks resume");
  EXPECT_THAT(text, HasSubstr("The two foreign ministers met on Monday."));
  EXPECT_THAT(text, HasSubstr("They agreed to meet again."));
  EXPECT_THAT(text, Not(HasSubstr("Home")));
  EXPECT_THAT(text, Not(HasSubstr("Most read")));
  EXPECT_THAT(text, Not(HasSubstr("newsletter")));
  EXPECT_THAT(text, Not(HasSubstr("Copyright")));
}

TEST(HtmlTextTest, PageWithoutArticleUsesDensestBlock) {
  const char* page = R"(<html><body><div class="menu"><p>Home</p><p>About</p></div>
    <div class="story"><p>A long first paragraph about a border agreement between two states.</p>
    <p>A second paragraph with more detail about the border commission.</p></div>
    <div role="contentinfo"><p>Contact us at the office for anything at all that you may want.</p></div></body></html>)";
  std::string text = HtmlPageToText(page);
  EXPECT_THAT(text, HasSubstr("border agreement"));
  EXPECT_THAT(text, HasSubstr("border commission"));
  EXPECT_THAT(text, Not(HasSubstr("Home")));
  EXPECT_THAT(text, Not(HasSubstr("Contact us")));
}

}  // namespace
}  // namespace relmon::feeds
