// Thread pool: workers sleep on a condition variable between jobs and poll briefly after each one,
// because kernels come in bursts (one layer after another) and a wake-up costs more than the poll.
// One job runs at a time; tasks are handed out through an atomic counter, and the caller runs
// tasks too, so a job finishes even if no worker ever wakes up for it.
#include "parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pt {
namespace {

thread_local bool tl_in_task = false;

constexpr int64_t kChunksPerThread = 4;

// Marks the current thread as running pool tasks while the scope lives.
class TaskScope {
 public:
  TaskScope() : saved_(tl_in_task) { tl_in_task = true; }
  ~TaskScope() { tl_in_task = saved_; }
  TaskScope(const TaskScope&) = delete;
  TaskScope& operator=(const TaskScope&) = delete;

 private:
  bool saved_;
};

// How long an idle worker polls for the next job before sleeping. Measured on a 2-vCPU VM: a
// sleeping worker is often woken late or packed onto the caller's CPU (the job then runs serially),
// and a PAUSE loop did worse than plain loads (likely the hypervisor's pause-loop exiting), so
// workers poll with plain loads, and yield the CPU (sched_yield) every kPollsPerClockRead loads:
// a poller that shares the caller's CPU (the other core busy, or the scheduler put both threads on
// one) otherwise takes its time slices from the caller; pinned to one CPU, 2 threads ran 256^3
// at 155 GFLOP per CPU-second against 230 with one thread, and at 225 with the yield, as
// OpenBLAS's threads do (native/README.md, Threads). But not for long: with the scheduler's autogroups (Linux's
// default for desktop and login sessions) all threads of a process share one slice of a busy
// machine, and a worker polling through the single-threaded stretches between kernels (autograd,
// allocation, garbage collection) takes that time from the caller. 200 us covers the gaps between
// the kernels of a layer; polling 2 ms cost the CNN benchmark 10-25% at 2 threads on a loaded VM.
constexpr std::chrono::microseconds kPoll{200};
// Poll iterations between two reads of the clock and yields, which cost more than the load of the
// generation.
constexpr int kPollsPerClockRead = 64;

int threads_from_env() {
  const char* env = std::getenv("POLYTASK_NUM_THREADS");
  if (env != nullptr && *env != '\0') {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1) return static_cast<int>(std::min<long>(v, 256));
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(std::min<unsigned>(hc, 256));
}

class Pool {
 public:
  explicit Pool(int threads) : threads_(threads) {
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { work_loop(); });
    // Never joined: the pool is deliberately leaked and lives until the process exits.
    for (auto& w : workers_) w.detach();
  }

  int threads() const { return threads_; }

  // Returns false (and does nothing) when another job holds the pool.
  bool try_run(int64_t tasks, const std::function<void(int64_t)>& body) {
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
    body_ = &body;
    tasks_ = tasks;
    next_.store(0, std::memory_order_relaxed);
    left_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    entry_.store(kOpen, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    drain();
    // Close the job and wait only for the workers that joined it: a worker that is slow to wake
    // (a loaded machine) finds the job closed and skips it, instead of holding up the caller.
    const uint64_t joined = entry_.fetch_and(~kOpen, std::memory_order_acq_rel) & ~kOpen;
    while (left_.load(std::memory_order_acquire) < joined) std::this_thread::yield();
    std::exception_ptr err = error_;
    busy_.store(false, std::memory_order_release);
    if (err) std::rethrow_exception(err);
    return true;
  }

 private:
  // entry_ holds kOpen while a job accepts workers, plus the number of workers that joined it.
  static constexpr uint64_t kOpen = uint64_t{1} << 63;

  // Joins the current job if it is still open.
  bool join() {
    uint64_t e = entry_.load(std::memory_order_acquire);
    while ((e & kOpen) != 0) {
      if (entry_.compare_exchange_weak(e, e + 1, std::memory_order_acq_rel, std::memory_order_acquire)) return true;
    }
    return false;
  }

  void drain() {
    TaskScope scope;
    for (;;) {
      int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= tasks_) return;
      try {
        (*body_)(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void work_loop() {
    uint64_t seen = 0;
    for (;;) {
      const auto poll_until = std::chrono::steady_clock::now() + kPoll;
      for (int i = 1; generation_.load(std::memory_order_acquire) == seen; ++i) {
        if (i % kPollsPerClockRead == 0) {
          if (std::chrono::steady_clock::now() >= poll_until) break;
          std::this_thread::yield();
        }
      }
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      seen = generation_.load(std::memory_order_acquire);
      if (join()) {
        drain();
        left_.fetch_add(1, std::memory_order_release);
      }
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> busy_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> entry_{0};
  std::atomic<uint64_t> left_{0};
  std::atomic<int64_t> next_{0};
  const std::function<void(int64_t)>* body_ = nullptr;
  int64_t tasks_ = 0;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool(threads_from_env());
  return *p;
}

}  // namespace

int num_threads() { return pool().threads(); }

bool in_parallel_region() { return tl_in_task; }

void parallel_tasks(int64_t tasks, const std::function<void(int64_t)>& body) {
  if (tasks <= 0) return;
  if (tasks == 1 || num_threads() == 1 || !pool().try_run(tasks, body)) {
    for (int64_t t = 0; t < tasks; ++t) body(t);
  }
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  // Several chunks per thread, handed out one at a time: a worker that the OS preempts in the
  // middle of a chunk (a loaded machine) then holds up the caller for a small piece of the work,
  // not for half of it.
  int64_t chunks = std::min<int64_t>(num_threads() * kChunksPerThread, (n + grain - 1) / grain);
  if (chunks <= 1) {
    body(0, n);
    return;
  }
  parallel_tasks(chunks, [&](int64_t t) {
    int64_t lo = n * t / chunks, hi = n * (t + 1) / chunks;
    if (lo < hi) body(lo, hi);
  });
}

}  // namespace pt
