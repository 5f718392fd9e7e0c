// WorkerPool: a fixed set of threads that run queued tasks in FIFO order;
// where the ingest service runs extraction and log reads, off the gRPC
// reactor threads.
#ifndef RELMON_INGEST_WORKER_POOL_H_
#define RELMON_INGEST_WORKER_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace relmon::ingest {

class WorkerPool {
 public:
  // Starts `threads` threads (at least one). Each thread runs
  // `on_thread_start` (if any) once before its first task: re-analysis uses
  // it to lower its threads' priority below ingest's.
  explicit WorkerPool(size_t threads, std::function<void()> on_thread_start = nullptr);
  // Runs the queued tasks, then joins (same as Shutdown()).
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a task; false (and the task is dropped) after Shutdown().
  bool Submit(std::function<void()> task);
  // Stops taking tasks, runs what is queued, joins the threads. Idempotent.
  void Shutdown();

  size_t size() const { return threads_.size(); }

 private:
  void Run();

  // std::mutex rather than absl::Mutex: the Debian absl is not built with
  // TSan annotations, and TSan must see this synchronisation.
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
  std::mutex join_mu_;
};

}  // namespace relmon::ingest

#endif  // RELMON_INGEST_WORKER_POOL_H_
