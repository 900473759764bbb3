#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() asm volatile("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

namespace contrastive {
namespace {

// The pool's one job slot (never freed, reused by every run). Workers enter it through `current_`
// with a hazard-style count (`active`), so run() returns as soon as every task is done and no
// worker is inside the job: a worker that is asleep or preempted by the OS never delays the
// caller. A late worker finds no job (and leaves) or the next one (and helps with it): it touches
// only `active` before checking that the slot is published, and the slot outlives every worker.
struct Job {
  const TaskFn* fn;
  int64_t ntasks;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<int> active{0};
};

class Pool {
 public:
  explicit Pool(int n) : n_(n < 1 ? 1 : n) {
    for (int i = 1; i < n_; ++i) {
      // If the OS refuses a thread, run with the ones we have (the caller counts as one).
      try {
        workers_.emplace_back([this, i] { loop(i); });
      } catch (...) {
        n_ = i;
        break;
      }
    }
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_.store(true);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return n_; }

  void run(int64_t ntasks, const TaskFn& fn) {
    if (n_ == 1 || ntasks <= 1) {
      for (int64_t t = 0; t < ntasks; ++t) fn(t, 0);
      return;
    }
    // Nested parallel_for from inside a task, or another thread (a Node worker_thread) already
    // using the pool: run on the calling thread.
    std::unique_lock<std::mutex> owner(run_mu_, std::defer_lock);
    if (in_task || !owner.try_lock()) {
      for (int64_t t = 0; t < ntasks; ++t) fn(t, 0);
      return;
    }
    Job& job = slot_;
    job.fn = &fn;
    job.ntasks = ntasks;
    job.next.store(0, std::memory_order_relaxed);
    job.done.store(0, std::memory_order_relaxed);
    current_.store(&job, std::memory_order_seq_cst);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    work(job, 0);
    while (job.done.load(std::memory_order_acquire) != ntasks) CPU_RELAX();
    // Withdraw the job, then wait for workers that entered it: they take no task (all are taken)
    // and leave at once. seq_cst on both sides of this store-then-load handshake (Dekker): with
    // release/acquire the store could pass the load and a late worker slip into the next job.
    current_.store(nullptr, std::memory_order_seq_cst);
    while (job.active.load(std::memory_order_seq_cst) != 0) CPU_RELAX();
  }

 private:
  static void work(Job& job, int tid) {
    in_task = true;
    for (;;) {
      const int64_t t = job.next.fetch_add(1, std::memory_order_relaxed);
      if (t >= job.ntasks) break;
      (*job.fn)(t, tid);
      job.done.fetch_add(1, std::memory_order_release);
    }
    in_task = false;
  }
  static thread_local bool in_task;
  void loop(int tid) {
    uint64_t seen = 0;
    for (;;) {
      // Spin for a while (tfjs calls kernels back to back), then sleep on the condition variable.
      uint64_t g = generation_.load(std::memory_order_acquire);
      for (int spin = 0; g == seen && spin < 100000; ++spin) {
        CPU_RELAX();
        g = generation_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_.load()) return;
      Job* job = current_.load(std::memory_order_seq_cst);
      if (!job) continue;
      job->active.fetch_add(1, std::memory_order_seq_cst);
      if (current_.load(std::memory_order_seq_cst) == job) work(*job, tid);
      job->active.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::mutex run_mu_;  // held by the thread whose job is in the slot
  Job slot_;
  std::atomic<Job*> current_{nullptr};
  std::atomic<bool> stop_{false};
};

thread_local bool Pool::in_task = false;

int default_threads() {
  if (const char* env = std::getenv("CONTRASTIVE_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return std::min(n, kMaxThreads);
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

std::unique_ptr<Pool>& pool() {
  static std::unique_ptr<Pool> p(new Pool(default_threads()));
  return p;
}

}  // namespace

int num_threads() { return pool()->size(); }

void set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > kMaxThreads) n = kMaxThreads;
  if (n == pool()->size()) return;
  pool().reset(new Pool(n));
}

void parallel_for(int64_t ntasks, const TaskFn& fn) { pool()->run(ntasks, fn); }

void parallel_range(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t, int)>& fn) {
  if (n <= 0) return;
  int T = num_threads();
  if (grain < 1) grain = 1;
  int64_t chunks = n / grain;
  if (chunks > T) chunks = T;
  if (chunks <= 1) {
    fn(0, n, 0);
    return;
  }
  parallel_for(chunks, [&](int64_t c, int tid) {
    int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
    fn(b, e, tid);
  });
}

}  // namespace contrastive
