// A size-class pool of memory blocks for tensor storage (and large kernel scratch), so that a
// training step in steady state reuses the pages of the previous step instead of touching fresh
// ones. No N-API here: native/binding/bind_memory.cc hands blocks to V8 as ArrayBuffers whose
// deleter gives them back.
//
// Classes: requests of at least kPoolMinBytes are rounded up to 4 classes per power of two
// (2^k, 1.25*2^k, 1.5*2^k, 1.75*2^k), so a fresh block wastes at most a fifth of itself; smaller
// ones are plain aligned allocations that never enter the pool. A request takes a free block of
// its class, else one of the next two classes (at most 1.5x its size: the mix of sizes that the
// collector hands back differs from step to step), else a fresh one. A released block goes to its
// class's free list unless the pool already retains `limit` bytes, in which case it is freed.
// Every function is thread-safe: V8 may run ArrayBuffer deleters on its background sweeper thread.
//
// Example:
//   size_t cap;
//   void* p = pt::pool_acquire(1 << 20, &cap);  // >= 1 MiB, contents unspecified, 64-byte aligned
//   ...                                          // use it
//   pt::pool_release(p, cap);                    // the next request of its class reuses it
//   pt::PooledFloats acc(n, true);         // kernel scratch: n zeros, back to the pool at scope end
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace pt {

// Capacities below this many bytes are not pooled (V8's own allocation is as cheap for them).
constexpr size_t kPoolMinBytes = 4096;

// The capacity of a fresh block for a request of `bytes`: its size class (below kPoolMinBytes,
// bytes rounded up to 64).
size_t pool_class_bytes(size_t bytes);

// A 64-byte aligned block of at least `bytes` (unspecified contents) and its capacity, from the
// pool when it has a block that fits, else freshly allocated; nullptr when out of memory.
void* pool_acquire(size_t bytes, size_t* capacity);

// Gives back a block from pool_acquire, with the capacity it returned.
void pool_release(void* block, size_t capacity);

// Caps the bytes the pool retains (0 turns retention off); frees retained blocks above the cap.
void pool_set_limit(size_t bytes);

// Frees every retained block.
void pool_trim();

struct PoolStats {
  uint64_t limit_bytes;     // the cap on retained bytes
  uint64_t retained_bytes;  // free blocks held for reuse
  uint64_t retained_blocks;
  uint64_t live_bytes;      // capacity of the pooled-class blocks handed out and not yet released
  uint64_t hits;            // pooled-class requests served from a free list
  uint64_t misses;          // pooled-class requests that allocated a fresh block
};

PoolStats pool_stats();

// `n` floats of kernel scratch from the pool (zero-filled when `zero`), given back when it goes
// out of scope: a large per-call buffer (a weight gradient's per-thread accumulators) then reuses
// the pages of the previous call instead of page-faulting on fresh ones. Throws std::bad_alloc
// when the system is out of memory, as std::vector does.
class PooledFloats {
 public:
  PooledFloats(int64_t n, bool zero) {
    const size_t bytes = static_cast<size_t>(n) * sizeof(float);
    data_ = static_cast<float*>(pool_acquire(bytes, &capacity_));
    if (data_ == nullptr) throw std::bad_alloc();
    if (zero) std::memset(data_, 0, bytes);
  }
  ~PooledFloats() { pool_release(data_, capacity_); }
  PooledFloats(const PooledFloats&) = delete;
  PooledFloats& operator=(const PooledFloats&) = delete;

  float* data() { return data_; }
  const float* data() const { return data_; }
  float& operator[](size_t i) { return data_[i]; }
  const float& operator[](size_t i) const { return data_[i]; }

 private:
  size_t capacity_ = 0;
  float* data_;
};

}  // namespace pt
