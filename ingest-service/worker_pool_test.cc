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

TEST(WorkerPoolTest, EveryThreadRunsTheStartHookBeforeTasks) {
  std::atomic<int> started{0};
  std::atomic<int> ran_before_all_started{0};
  {
    WorkerPool pool(4, [&] { started.fetch_add(1); });
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(pool.Submit([&] {
        if (started.load() == 0) ran_before_all_started.fetch_add(1);
      }));
    }
  }
  EXPECT_EQ(started.load(), 4);
  EXPECT_EQ(ran_before_all_started.load(), 0);
}

}  // namespace
}  // namespace relmon::ingest
