#include "feed-follower/config.h"

#include "feed-follower/follower.h"
#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

TEST(ConfigTest, ParsesEverySection) {
  FollowerOptions o;
  absl::Status s = ParseConfig(R"({
    // comments are allowed
    "ingest_target": "dns:///ingest-service:50051",
    "state_dir": "/var/lib/f",
    "feeds": [{"url": "https://a.example/rss", "name": "A", "language": "en", "interval_seconds": 120},
              "https://b.example/atom"],
    "watch_dir": "/srv/inbox",
    "kafka": {"brokers": "k:9092", "topic": "articles", "group": "g",
              "properties": {"security.protocol": "SSL"}},
    "http": {"timeout_seconds": 5, "max_redirects": 2, "max_body_bytes": 1000},
    "metrics_file": "/tmp/m.json"
  })", &o);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(o.ingest_target, "dns:///ingest-service:50051");
  ASSERT_EQ(o.feeds.size(), 2u);
  EXPECT_EQ(o.feeds[0].name, "A");
  EXPECT_EQ(o.feeds[0].interval, absl::Seconds(120));
  EXPECT_EQ(o.feeds[1].url, "https://b.example/atom");
  EXPECT_EQ(o.feeds[1].interval, absl::Minutes(15));
  EXPECT_EQ(o.watch_dir, "/srv/inbox");
  EXPECT_EQ(o.kafka.topics, std::vector<std::string>{"articles"});
  EXPECT_EQ(o.kafka.properties["security.protocol"], "SSL");
  EXPECT_EQ(o.http.total_timeout, absl::Seconds(5));
  EXPECT_EQ(o.http.max_redirects, 2);
  EXPECT_EQ(o.http.max_body_bytes, 1000u);
  EXPECT_EQ(o.metrics_file, "/tmp/m.json");
}

TEST(ConfigTest, RejectsBadInput) {
  FollowerOptions o;
  EXPECT_FALSE(ParseConfig("[1,2]", &o).ok());
  EXPECT_FALSE(ParseConfig(R"({"feeds": [{"name": "no url"}]})", &o).ok());
  EXPECT_FALSE(ParseConfig(R"({"feeds": [{"url": "u", "interval_seconds": 0}]})", &o).ok());
  EXPECT_FALSE(ParseConfig(R"({"http": {"max_redirects": "many"}})", &o).ok());
}

TEST(ConfigTest, ArticleIds) {
  EXPECT_EQ(ArticleIdForItem("https://f/rss", "https://site/story/1"), "https://site/story/1");
  EXPECT_EQ(ArticleIdForItem("https://f/rss", "tag:site,2024:1"), "tag:site,2024:1");
  EXPECT_EQ(ArticleIdForItem("https://f/rss", "1234"), "https://f/rss#1234");
  std::string long_id = ArticleIdForItem("https://f/rss", "https://site/" + std::string(400, 'x'));
  EXPECT_LE(long_id.size(), 256u);
  EXPECT_EQ(long_id, ArticleIdForItem("https://f/rss", "https://site/" + std::string(400, 'x')));
}

}  // namespace
}  // namespace relmon::feeds
