#include "feed-follower/state_store.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace relmon::feeds {
namespace {

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "/feeds_state_XXXXXX";
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

TEST(StateStoreTest, SurvivesReopenAndBoundsSeenKeys) {
  const std::string dir = MakeTempDir();
  {
    auto store = StateStore::Open(dir, /*max_seen_per_feed=*/3);
    ASSERT_TRUE(store.ok()) << store.status();
    for (const char* key : {"a", "b", "c", "d"}) (*store)->MarkSeen("http://f/rss", key);
    (*store)->SetValidators("http://f/rss", {"\"v1\"", "Tue, 14 May 2024 09:30:00 GMT"});
    (*store)->MarkFileProcessed("one.txt");
    (*store)->MarkFileProcessed("gone.txt");
    (*store)->RetainFiles({"one.txt"});
    ASSERT_TRUE((*store)->Save().ok());
  }
  auto store = StateStore::Open(dir, 3);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_FALSE((*store)->Seen("http://f/rss", "a"));  // evicted, oldest first
  EXPECT_TRUE((*store)->Seen("http://f/rss", "d"));
  EXPECT_EQ((*store)->SeenCount("http://f/rss"), 3u);
  EXPECT_EQ((*store)->Validators("http://f/rss").etag, "\"v1\"");
  EXPECT_TRUE((*store)->FileProcessed("one.txt"));
  EXPECT_FALSE((*store)->FileProcessed("gone.txt"));
  // No temp file left behind.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  std::filesystem::remove_all(dir);
}

TEST(StateStoreTest, CorruptFileIsAnError) {
  const std::string dir = MakeTempDir();
  std::ofstream(dir + "/follower-state.json") << "{not json";
  EXPECT_FALSE(StateStore::Open(dir).ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace relmon::feeds
