// The size-class pool of storage_pool.h: one free list per class under one mutex (requests come
// from the JavaScript thread, releases from it and from V8's sweeper thread; each holds the lock
// for a push or a pop only).
#include "storage_pool.h"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace pt {
namespace {

constexpr size_t kAlign = 64;
constexpr int kMinLog2 = 12;  // log2(kPoolMinBytes)
constexpr int kSubclasses = 4;
constexpr int kClasses = (64 - kMinLog2) * kSubclasses;
// A request may take a free block this many classes above its own (at most 1.5x its size).
constexpr int kLargerClasses = 2;
// What the pool retains unless pool_set_limit says otherwise (POLYTASK_POOL_MAX_MB, read by
// src/backends/native/index.ts).
constexpr size_t kDefaultLimit = size_t{1} << 30;

static_assert(size_t{1} << kMinLog2 == kPoolMinBytes, "kMinLog2 must match kPoolMinBytes");

int floor_log2(size_t v) { return 63 - __builtin_clzll(static_cast<unsigned long long>(v)); }

// The index of a class capacity (a value pool_class_bytes returns for a pooled request).
int class_index(size_t cap) {
  const int k = floor_log2(cap);
  return (k - kMinLog2) * kSubclasses + static_cast<int>(cap >> (k - 2)) - kSubclasses;
}

// The capacity of class `c` (the inverse of class_index).
size_t class_capacity(int c) {
  return static_cast<size_t>(kSubclasses + c % kSubclasses) << (c / kSubclasses + kMinLog2 - 2);
}

struct Pool {
  std::mutex mu;
  std::vector<void*> free_lists[kClasses];
  size_t limit = kDefaultLimit;
  size_t retained = 0;
  size_t retained_blocks = 0;
  size_t live = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
};

// Never destroyed: deleters of ArrayBuffers may run while the process exits.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

// Frees retained blocks, largest classes first, until at most `keep` bytes remain. Holds the lock.
void shrink_locked(Pool& p, size_t keep) {
  for (int c = kClasses - 1; c >= 0 && p.retained > keep; --c) {
    auto& list = p.free_lists[c];
    while (!list.empty() && p.retained > keep) {
      std::free(list.back());
      list.pop_back();
      p.retained -= class_capacity(c);
      p.retained_blocks -= 1;
    }
  }
}

}  // namespace

size_t pool_class_bytes(size_t bytes) {
  if (bytes < kPoolMinBytes) return (bytes + kAlign - 1) / kAlign * kAlign;
  const size_t step = size_t{1} << (floor_log2(bytes) - 2);
  return (bytes + step - 1) / step * step;
}

void* pool_acquire(size_t bytes, size_t* capacity) {
  const size_t cap = pool_class_bytes(bytes);
  if (cap < bytes) return nullptr;  // overflow of the rounding
  *capacity = cap;
  if (cap >= kPoolMinBytes) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    const int c = class_index(cap);
    for (int k = c; k < c + kLargerClasses + 1 && k < kClasses; ++k) {
      auto& list = p.free_lists[k];
      if (list.empty()) continue;
      void* block = list.back();
      list.pop_back();
      *capacity = class_capacity(k);
      p.retained -= *capacity;
      p.retained_blocks -= 1;
      p.live += *capacity;
      p.hits += 1;
      return block;
    }
    p.misses += 1;
    p.live += cap;
  }
  void* block = std::aligned_alloc(kAlign, cap == 0 ? kAlign : cap);
  if (block == nullptr && cap >= kPoolMinBytes) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    p.live -= cap;
  }
  return block;
}

void pool_release(void* block, size_t capacity) {
  if (block == nullptr) return;
  if (capacity >= kPoolMinBytes) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mu);
    p.live -= capacity;
    if (p.retained + capacity <= p.limit) {
      p.free_lists[class_index(capacity)].push_back(block);
      p.retained += capacity;
      p.retained_blocks += 1;
      return;
    }
  }
  std::free(block);
}

void pool_set_limit(size_t bytes) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  p.limit = bytes;
  shrink_locked(p, bytes);
}

void pool_trim() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  shrink_locked(p, 0);
}

PoolStats pool_stats() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  return {p.limit, p.retained, p.retained_blocks, p.live, p.hits, p.misses};
}

}  // namespace pt
