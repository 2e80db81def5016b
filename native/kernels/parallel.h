// A persistent pool of worker threads and a parallel-for over it.
//
// The pool is created on first use with POLYTASK_NUM_THREADS threads (default: the hardware
// concurrency) and lives until the process exits. The calling thread takes part in the work, so a
// pool of T threads starts T-1 workers. A call made while the pool is busy (from a task, or from
// another thread such as a Node worker) runs serially in its caller instead of waiting: kernels
// never deadlock on the pool.
//
// Example:
//   pt::parallel_for(rows, 64, [&](int64_t lo, int64_t hi) { for (r = lo; r < hi; ++r) ...; });
#pragma once

#include <cstdint>
#include <functional>

namespace pt {

// Number of threads parallel work is split over (>= 1).
int num_threads();

// True while the calling thread is running a task of the pool: nested parallel calls run serially
// there, so kernels that split work themselves can skip splitting.
bool in_parallel_region();

// Runs body(task) for every task in [0, tasks), spread over the pool. Returns when all are done.
void parallel_tasks(int64_t tasks, const std::function<void(int64_t task)>& body);

// Splits [0, n) into contiguous chunks of at least `grain` items (a few per thread at most) and
// runs body(lo, hi) on each; runs inline when the range is too small to be worth a wake-up.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t lo, int64_t hi)>& body);

}  // namespace pt
