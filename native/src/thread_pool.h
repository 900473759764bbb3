// A persistent fork-join thread pool: created once, workers spin briefly then sleep.
// parallel_for(n, fn) runs fn(task, tid) for task in [0, n) over the pool; the calling
// thread takes part as tid 0 and returns when every task is done.
#pragma once
#include <cstdint>
#include <functional>

namespace contrastive {

using TaskFn = std::function<void(int64_t task, int tid)>;

// Most threads a pool may have (CONTRASTIVE_THREADS and set_num_threads are clamped to it).
constexpr int kMaxThreads = 1024;

// Number of threads (the caller included). Default: hardware cores; CONTRASTIVE_THREADS overrides.
int num_threads();
// Resize the pool (n >= 1). Not thread-safe with a running parallel_for.
void set_num_threads(int n);
// Run fn over [0, ntasks) tasks; tasks are taken dynamically (atomic counter).
void parallel_for(int64_t ntasks, const TaskFn& fn);
// Split [0, n) into contiguous ranges of at least `grain` items, one task per range.
void parallel_range(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end, int tid)>& fn);

}  // namespace contrastive
