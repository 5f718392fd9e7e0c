#include "query-service/answer_cache.h"

#include <string>

#include "gtest/gtest.h"

namespace relmon::query {
namespace {

std::string Text(const grpc::Slice& s) {
  return std::string(reinterpret_cast<const char*>(s.begin()), s.size());
}

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(AnswerCacheTest, HitsOnlyAtTheSameSequenceAndWithinTtl) {
  AnswerCacheOptions options;
  options.ttl = absl::Seconds(1);
  AnswerCache cache(options);
  cache.Insert("sAZIR", 7, kT0, grpc::Slice(std::string("answer at 7")));

  auto hit = cache.Lookup("sAZIR", 7, kT0 + absl::Milliseconds(500));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(Text(*hit), "answer at 7");
  // The views moved: the answer may be out of date.
  EXPECT_FALSE(cache.Lookup("sAZIR", 8, kT0).has_value());
  // Too old for an "as of now" answer.
  EXPECT_FALSE(cache.Lookup("sAZIR", 7, kT0 + absl::Seconds(1)).has_value());
  // Another request.
  EXPECT_FALSE(cache.Lookup("sAZAM", 7, kT0).has_value());

  AnswerCache::Stats stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(AnswerCacheTest, ANewerSequenceDropsOlderEntriesAndOlderInsertsAreIgnored) {
  AnswerCacheOptions options;
  options.shards = 1;
  AnswerCache cache(options);
  cache.Insert("a", 5, kT0, grpc::Slice(std::string("a5")));
  cache.Insert("b", 5, kT0, grpc::Slice(std::string("b5")));
  cache.Insert("a", 6, kT0, grpc::Slice(std::string("a6")));
  EXPECT_EQ(cache.stats().entries, 1u);
  // An answer computed before the views moved arrives late: not kept.
  cache.Insert("b", 5, kT0, grpc::Slice(std::string("b5 late")));
  EXPECT_FALSE(cache.Lookup("b", 5, kT0).has_value());
  EXPECT_FALSE(cache.Lookup("b", 6, kT0).has_value());
  auto a = cache.Lookup("a", 6, kT0);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(Text(*a), "a6");
}

TEST(AnswerCacheTest, StaysWithinItsBudgetEvictingTheLeastRecentlyUsed) {
  AnswerCacheOptions options;
  options.shards = 1;
  options.max_bytes = 4 * (1000 + 2 * 2 + 128);  // room for four answers of 1000 bytes
  AnswerCache cache(options);
  const std::string big(1000, 'x');
  for (const char* key : {"k1", "k2", "k3", "k4"}) cache.Insert(key, 1, kT0, grpc::Slice(big));
  ASSERT_TRUE(cache.Lookup("k1", 1, kT0).has_value());  // k1 is now the most recent
  cache.Insert("k5", 1, kT0, grpc::Slice(big));
  EXPECT_TRUE(cache.Lookup("k1", 1, kT0).has_value());
  EXPECT_FALSE(cache.Lookup("k2", 1, kT0).has_value());  // the least recently used went
  EXPECT_TRUE(cache.Lookup("k5", 1, kT0).has_value());
  EXPECT_LE(cache.stats().bytes, options.max_bytes);
  EXPECT_EQ(cache.stats().entries, 4u);
  // An answer larger than the whole budget is never kept.
  cache.Insert("huge", 1, kT0, grpc::Slice(std::string(options.max_bytes, 'y')));
  EXPECT_FALSE(cache.Lookup("huge", 1, kT0).has_value());
}

TEST(AnswerCacheTest, ZeroBudgetDisablesIt) {
  AnswerCacheOptions options;
  options.max_bytes = 0;
  AnswerCache cache(options);
  EXPECT_FALSE(cache.enabled());
  cache.Insert("a", 1, kT0, grpc::Slice(std::string("x")));
  EXPECT_FALSE(cache.Lookup("a", 1, kT0).has_value());
  EXPECT_EQ(cache.stats().entries, 0u);
}

}  // namespace
}  // namespace relmon::query
