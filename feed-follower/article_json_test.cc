#include "feed-follower/article_json.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

TEST(ArticleJsonTest, ProtoJsonLine) {
  absl::StatusOr<relations::v1::Article> a = ArticleFromJsonLine(
      R"({"id":"x-1","source":"Wire","text":"Some text.","publishedAt":"2024-05-14T09:30:00Z","language":"en"})",
      "/nonexistent");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->id(), "x-1");
  EXPECT_EQ(a->source(), "Wire");
  EXPECT_EQ(a->published_at().seconds(), 1715679000);
  // snake_case names are accepted too (proto3 JSON mapping).
  a = ArticleFromJsonLine(R"({"text":"T","published_at":"2024-05-14T09:30:00Z"})", "");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->published_at().seconds(), 1715679000);
  EXPECT_FALSE(ArticleFromJsonLine(R"({"source":"no text"})", "").ok());
  EXPECT_FALSE(ArticleFromJsonLine("not json", "").ok());
}

TEST(ArticleJsonTest, MetadataLine) {
  std::string dir = ::testing::TempDir() + "/feeds_meta_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::filesystem::create_directories(dir + "/seeds");
  std::ofstream(dir + "/seeds/a.txt") << "Body of a.";
  absl::StatusOr<relations::v1::Article> a = ArticleFromJsonLine(
      R"({"file": "seeds/a.txt", "source": "Anadolu Agency", "published_at": "2021-11-22T12:00:00Z"})", dir);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->text(), "Body of a.");
  EXPECT_EQ(a->source(), "Anadolu Agency");
  EXPECT_EQ(a->published_at().seconds(), 1637582400);
  a = ArticleFromJsonLine(R"({"file": "seeds/a.txt", "source": "", "published_at": ""})", dir);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->has_published_at());
  EXPECT_FALSE(ArticleFromJsonLine(R"({"file": "../etc/passwd"})", dir).ok());
  EXPECT_FALSE(ArticleFromJsonLine(R"({"file": "/etc/passwd"})", dir).ok());
  std::filesystem::remove_all(dir);
}

TEST(ArticleJsonTest, KafkaValues) {
  absl::StatusOr<relations::v1::Article> a = ArticleFromMessage("Plain text article.");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text(), "Plain text article.");
  a = ArticleFromMessage(R"({"text":"JSON article.","source":"Desk"})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->source(), "Desk");
  EXPECT_FALSE(ArticleFromMessage(R"({"unrelated":1})").ok());
  EXPECT_FALSE(ArticleFromMessage("   ").ok());
}

}  // namespace
}  // namespace relmon::feeds
