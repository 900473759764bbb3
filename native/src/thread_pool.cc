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

class Pool {
 public:
  explicit Pool(int n) : n_(n < 1 ? 1 : n) {
    for (int i = 1; i < n_; ++i) workers_.emplace_back([this, i] { loop(i); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
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
    fn_ = &fn;
    ntasks_ = ntasks;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(n_ - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    work(0);
    // Wait for the workers to finish their last task (spin: the wait is short).
    while (pending_.load(std::memory_order_acquire) != 0) CPU_RELAX();
    fn_ = nullptr;
  }

 private:
  void work(int tid) {
    for (;;) {
      int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= ntasks_) break;
      (*fn_)(t, tid);
    }
  }
  void loop(int tid) {
    uint64_t seen = 0;
    for (;;) {
      // Spin for a while (tfjs calls kernels back to back), then sleep on the condition variable.
      uint64_t g = generation_.load(std::memory_order_acquire);
      for (int spin = 0; g == seen && spin < 200000; ++spin) {
        CPU_RELAX();
        g = generation_.load(std::memory_order_acquire);
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      if (stop_) return;
      work(tid);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int n_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<int> pending_{0};
  const TaskFn* fn_ = nullptr;
  int64_t ntasks_ = 0;
  bool stop_ = false;
};

int default_threads() {
  if (const char* env = std::getenv("CONTRASTIVE_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
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
