#include "feed-follower/feed_parser.h"

#include <fstream>
#include <sstream>

#include "feed-follower/html_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

using ::testing::HasSubstr;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(RELMON_FEEDS_TESTDATA) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FeedParserTest, Rss) {
  absl::StatusOr<ParsedFeed> feed = ParseFeed(ReadFixture("rss_round1.xml"), "http://127.0.0.1:8080/rss.xml");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, ParsedFeed::Format::kRss);
  EXPECT_EQ(feed->title, "Harbour Gazette");
  EXPECT_EQ(feed->language, "en");
  ASSERT_EQ(feed->items.size(), 3u);
  const FeedItem& first = feed->items[0];
  EXPECT_EQ(first.guid, "harbour-gazette-1001");
  EXPECT_EQ(first.link, "http://127.0.0.1:8080/news/rail-link-talks");
  EXPECT_THAT(first.content_html, HasSubstr("<p>Transport ministers"));  // content:encoded wins
  ASSERT_TRUE(first.published_at.has_value());
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *first.published_at, absl::UTCTimeZone()),
            "2024-05-14T09:30:00Z");
  EXPECT_EQ(absl::FormatTime("%H:%M", *feed->items[1].published_at, absl::UTCTimeZone()), "14:00");
  EXPECT_THAT(HtmlFragmentToText(feed->items[1].content_html),
              HasSubstr("Norway accused Iceland on Wednesday"));
  EXPECT_EQ(feed->items[2].content_html, "Read more");
  EXPECT_EQ(ItemKey(feed->items[2]), "/pages/border-commission.html");
}

TEST(FeedParserTest, Atom) {
  absl::StatusOr<ParsedFeed> feed = ParseFeed(ReadFixture("atom.xml"), "https://ledger.example/feed.atom");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->format, ParsedFeed::Format::kAtom);
  EXPECT_EQ(feed->title, "Northern Ledger");
  EXPECT_EQ(feed->language, "en");
  ASSERT_EQ(feed->items.size(), 2u);
  EXPECT_EQ(feed->items[0].guid, "tag:northern-ledger.example,2024:entry-77");
  EXPECT_EQ(feed->items[0].link, "https://ledger.example/energy/grid-memorandum");
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *feed->items[0].published_at, absl::UTCTimeZone()),
            "2024-06-01T05:45:00Z");
  // No <published>: <updated>.
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *feed->items[1].published_at, absl::UTCTimeZone()),
            "2024-06-02T07:20:00Z");
  EXPECT_EQ(HtmlFragmentToText(feed->items[1].content_html),
            "Two Latvian customs officers were detained on Sunday at a crossing on the Belarus border, the "
            "Latvian interior ministry said.\n\nMinsk has not commented.");
  EXPECT_EQ(feed->items[1].language, "en");
}

TEST(FeedParserTest, BrokenXmlIsAnError) {
  absl::StatusOr<ParsedFeed> feed = ParseFeed(ReadFixture("broken.xml"));
  EXPECT_FALSE(feed.ok());
  EXPECT_FALSE(ParseFeed("<html><body>not a feed</body></html>").ok());
  EXPECT_FALSE(ParseFeed("").ok());
}

TEST(FeedParserTest, DamagedXmlIsRecovered) {
  absl::StatusOr<ParsedFeed> feed = ParseFeed(
      "<rss><channel><title>T</title><item><guid>a</guid><description>one &amp; two</description></item>"
      "<item><guid>b</guid><description>cut off");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_FALSE(feed->recovered_error.empty());
  ASSERT_GE(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].content_html, "one & two");
}

TEST(FeedParserTest, EntitiesAreNotExpandedAndNothingIsFetched) {
  const char* hostile = R"(<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>x</title><item><guid>1</guid>
<description>start &c; &secret; end</description></item></channel></rss>)";
  absl::StatusOr<ParsedFeed> feed = ParseFeed(hostile);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->items.size(), 1u);
  EXPECT_EQ(feed->items[0].content_html.find("aaaa"), std::string::npos);
  EXPECT_EQ(feed->items[0].content_html.find("root:"), std::string::npos);
  EXPECT_LT(feed->items[0].content_html.size(), 32u);
}

}  // namespace
}  // namespace relmon::feeds
