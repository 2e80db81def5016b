// Helpers shared by the convolution paths (conv_batch.cpp, conv_rows.cpp, conv_wide.cpp,
// conv_winograd.cpp, the direct kernels): per-thread scratch buffers, the split of a batch into
// chunks of images and of a range into near-equal runs, the kernel taps that meet the image, and a
// finiteness check.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "conv.h"
#include "parallel.h"
#include "simd_clones.h"  // PT_SIMD_CLONES marks the hot loops compiled per ISA

namespace pt {
namespace conv_util {

// Floats of working data per chunk of images: about 1 MiB, what an L2 cache holds.
constexpr int64_t kChunkFloats = 1 << 18;
constexpr int64_t kMaxChunk = 16;

// Four per-thread buffers, grown on demand and kept for the thread's life.
struct Scratch {
  std::vector<float> a, b, c, d;
};

inline Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

inline float* grow(std::vector<float>& v, int64_t floats) {
  if (v.size() < static_cast<size_t>(floats)) v.resize(static_cast<size_t>(floats));
  return v.data();
}

// Images per chunk: per_image floats of working data each, about kChunkFloats in all, and at
// least one chunk for each of `tasks` threads.
inline int64_t images_per_chunk(int64_t n, int64_t per_image, int64_t tasks) {
  const int64_t nb = std::min({kChunkFloats / std::max<int64_t>(per_image, 1), kMaxChunk, n / std::max<int64_t>(tasks, 1)});
  return std::max<int64_t>(nb, 1);
}

// Runs body(first image, image count) over [0, n) in chunks of nb, whole chunks per thread when
// there are enough of them (the GEMMs inside then run single-threaded), else chunk by chunk.
template <class F>
void for_chunks(int64_t n, int64_t nb, F body) {
  const int64_t chunks = (n + nb - 1) / nb;
  auto run = [&](int64_t t) { body(t * nb, std::min(nb, n - t * nb)); };
  if (chunks >= num_threads()) {
    parallel_tasks(chunks, run);
  } else {
    for (int64_t t = 0; t < chunks; ++t) run(t);
  }
}

// The number of tasks that each sum a share of the images into their own accumulator: a few per
// thread when there are enough images (handed out one at a time, so that a thread the OS preempts
// holds up the others for a small share only), else one, whose GEMMs then use every thread.
inline int64_t accumulator_tasks(int64_t n) {
  constexpr int64_t kTasksPerThread = 4;
  return n >= num_threads() ? std::min<int64_t>(n, num_threads() * kTasksPerThread) : 1;
}

// [begin, end) pieces of [0, n) in `parts` near-equal runs.
inline std::vector<std::pair<int64_t, int64_t>> even_split(int64_t n, int64_t parts) {
  std::vector<std::pair<int64_t, int64_t>> v;
  for (int64_t i = 0; i < parts; ++i) v.emplace_back(n * i / parts, n * (i + 1) / parts);
  return v;
}

// Runs body(task) for each of `tasks` tasks, over the pool when there is more than one.
template <class F>
void run_tasks(int64_t tasks, F body) {
  if (tasks > 1) {
    parallel_tasks(tasks, body);
  } else {
    body(0);
  }
}

// Kernel rows (or columns) of k that meet the image (in pixels along that axis) at some of the
// out output positions; every one when `all`.
inline std::vector<int64_t> live_taps(int64_t k, int64_t out, int64_t in, int64_t stride, int64_t pad, int64_t dil,
                                      bool all) {
  std::vector<int64_t> v;
  for (int64_t t = 0; t < k; ++t) {
    bool hit = all;
    for (int64_t o = 0; o < out && !hit; ++o) {
      const int64_t i = o * stride - pad + t * dil;
      hit = i >= 0 && i < in;
    }
    if (hit) v.push_back(t);
  }
  return v;
}

// The kept taps of g's kernel, row-major: (ki[t], kj[t]) for every kernel row and column that
// live_taps keeps along its axis (every tap when `all`).
inline void live_tap_grid(const ConvGeometry& g, bool all, std::vector<int64_t>& ki, std::vector<int64_t>& kj) {
  const std::vector<int64_t> rows = live_taps(g.kh, g.oh, g.h, g.stride_h, g.pad_h, g.dilation_h, all);
  const std::vector<int64_t> cols = live_taps(g.kw, g.ow, g.w, g.stride_w, g.pad_w, g.dilation_w, all);
  for (int64_t r : rows) {
    for (int64_t c : cols) {
      ki.push_back(r);
      kj.push_back(c);
    }
  }
}

// No infinity or NaN in v[0, n) (conv.cpp; compiled per ISA).
PT_SIMD_CLONES bool all_finite(const float* v, int64_t n);

// first[0, size) += rest[k·size, (k+1)·size) for k = 0 .. count − 1, in that order, over the
// threads: a weight gradient's per-task accumulators added up into the first (conv.cpp).
void add_accumulators(float* first, const float* rest, int64_t count, int64_t size);

}  // namespace conv_util
}  // namespace pt
