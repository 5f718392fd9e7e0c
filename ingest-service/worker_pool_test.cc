#include "ingest-service/worker_pool.h"

#include <atomic>

#include "gtest/gtest.h"

namespace relmon::ingest {
namespace {

TEST(WorkerPoolTest, RunsEveryQueuedTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  WorkerPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pool.Submit([&] { ran.fetch_add(1); }));
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 1000);
  EXPECT_FALSE(pool.Submit([&] { ran.fetch_add(1); }));
  pool.Shutdown();  // idempotent
  EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkerPoolTest, ZeroThreadsMeansOne) {
  WorkerPool pool(0);
  EXPECT_EQ(pool.size(), 1u);
}

}  // namespace
}  // namespace relmon::ingest
