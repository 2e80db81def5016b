// The size-class pool of storage_pool.h: one free list per class under one mutex (requests come
// from the JavaScript thread, releases from it and from V8's sweeper thread; each holds the lock
// for a push or a pop, or for the rare mapping of fresh memory).
//
// Fresh blocks of 64 KiB and more come from mappings that ask for transparent huge pages
// (madvise MADV_HUGEPAGE, Linux): classes up to 1 MiB are carved from 2 MiB slabs, larger ones get
// a mapping of their own that starts on a 2 MiB boundary. First touch of fresh memory then costs
// one fault per 2 MiB instead of one per 4 KiB page: on the 2-vCPU KVM guests polytask is measured
// on a 4 KiB fault costs about 6 us (355 us for 256 KiB touched afresh, 6 us with huge pages), more
// than a 256x256 GEMM's output is worth. A slab block released above the pool's limit gives its
// pages back (MADV_DONTNEED) and keeps only its address range, for the next fresh block of its class.
#include "storage_pool.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

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

// Fresh blocks with capacities in [kSlabMin, kSlabMax] are carved from kHuge slabs; larger ones
// from a mapping of their own (see the file comment).
constexpr size_t kHuge = size_t{2} << 20;
constexpr size_t kSlabMin = size_t{64} << 10;
constexpr size_t kSlabMax = size_t{1} << 20;
constexpr size_t kPage = 4096;

enum class Region { slab, own };

struct Pool {
  std::mutex mu;
  std::vector<void*> free_lists[kClasses];
  // Slab blocks holding no pages (never touched, or given back): address space for fresh blocks.
  std::vector<void*> spare[kClasses];
  // The kHuge-aligned start of each mapping the pool made, and what it is.
  std::unordered_map<uintptr_t, Region> regions;
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

size_t page_round(size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

// `bytes` (a multiple of kPage) of fresh memory starting on a kHuge boundary, huge pages asked
// for; nullptr when the mapping fails or the platform has none.
void* map_huge(size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  void* raw = mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (start + kHuge - 1) / kHuge * kHuge;
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = start + bytes + kHuge;
  if (end > aligned + bytes) munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // a hint: failure costs speed only
  return reinterpret_cast<void*>(aligned);
#else
  (void)bytes;
  return nullptr;
#endif
}

// A fresh block of class c (capacity cap >= kSlabMin) from the pool's mappings; nullptr when none
// can be made (the caller then takes one from the heap). Holds the lock.
void* fresh_mapped_locked(Pool& p, int c, size_t cap) {
  if (cap <= kSlabMax) {
    auto& spare = p.spare[c];
    if (spare.empty()) {
      void* slab = map_huge(kHuge);
      if (slab == nullptr) return nullptr;
      p.regions.emplace(reinterpret_cast<uintptr_t>(slab), Region::slab);
      for (size_t off = (kHuge / cap - 1) * cap;; off -= cap) {
        spare.push_back(static_cast<char*>(slab) + off);
        if (off == 0) break;
      }
    }
    void* block = spare.back();
    spare.pop_back();
    return block;
  }
  void* block = map_huge(page_round(cap));
  if (block != nullptr) p.regions.emplace(reinterpret_cast<uintptr_t>(block), Region::own);
  return block;
}

// Gives a block of capacity cap back to the system (or, from a slab, its pages). Holds the lock.
void dispose_locked(Pool& p, void* block, size_t cap) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (cap >= kSlabMin) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(block);
    const auto it = p.regions.find(at / kHuge * kHuge);
    if (it != p.regions.end() && it->second == Region::slab) {
      madvise(block, cap, MADV_DONTNEED);
      p.spare[class_index(cap)].push_back(block);
      return;
    }
    if (it != p.regions.end() && it->first == at) {
      munmap(block, page_round(cap));
      p.regions.erase(it);
      return;
    }
  }
#endif
  (void)p;
  (void)cap;
  std::free(block);
}

// Frees retained blocks, largest classes first, until at most `keep` bytes remain. Holds the lock.
void shrink_locked(Pool& p, size_t keep) {
  for (int c = kClasses - 1; c >= 0 && p.retained > keep; --c) {
    auto& list = p.free_lists[c];
    while (!list.empty() && p.retained > keep) {
      dispose_locked(p, list.back(), class_capacity(c));
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
    // With retention off (limit 0) a block lives once: the heap serves it as cheaply.
    if (cap >= kSlabMin && p.limit > 0) {
      if (void* block = fresh_mapped_locked(p, c, cap)) return block;
    }
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
    dispose_locked(p, block, capacity);
    return;
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
