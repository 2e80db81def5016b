// Convolution entry points: each call picks a path by geometry (native/README.md, Convolution):
//   - depthwise (groups == C): direct loops (conv_depthwise.cpp);
//   - output maps up to 64 positions (8x8: a ResNet's stages at 32x32) without groups, with at
//     least 16 channels and at most 4 input pixels an output: im2row over the whole batch,
//     channels innermost (conv_rows.cpp);
//   - grouped maps under kSmallMap positions, strides and everything else: im2col over the whole batch, one GEMM for
//     all images (conv_batch.cpp);
//   - 3x3 stride-1 with enough channels: Winograd's algorithm (conv_winograd.cpp; when an input is
//     not finite, the wide path redoes the call);
//   - other stride-1 ones: the wide grid of conv_wide.cpp;
//   - pointwise (1x1, stride 1, unpadded): the image itself is the column matrix, per image:
//     y_i (O, HW) = w (O, C) · x_i (C, HW). With at least as many images as threads, each thread
//     takes whole images (the GEMMs inside then run single-threaded); otherwise images go one by
//     one through the multithreaded GEMM.
// This file also keeps the bias gradient, shared by every path.
#include "conv.h"

#include <algorithm>
#include <vector>

#include "conv_batch.h"
#include "conv_depthwise.h"
#include "conv_rows.h"
#include "conv_util.h"
#include "conv_wide.h"
#include "conv_winograd.h"
#include "gemm.h"
#include "parallel.h"

namespace pt {
namespace {

struct Dims {
  int64_t cg, og, kk, sp, hw;
};

Dims dims_of(const ConvGeometry& g) {
  const int64_t cg = g.c / g.groups;
  return {cg, g.o / g.groups, cg * g.kh * g.kw, g.oh * g.ow, g.h * g.w};
}

bool is_pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.oh == g.h && g.ow == g.w;
}

// Runs per_image(i) for every image: whole images per thread when there are enough of them.
template <class F>
void for_images(const ConvGeometry& g, F per_image) {
  if (g.n >= num_threads()) {
    parallel_tasks(g.n, per_image);
  } else {
    for (int64_t i = 0; i < g.n; ++i) per_image(i);
  }
}

// The sum of rows[i·stride, i·stride + sp) over i < n, in double, with 32 partial sums (four
// vectors of eight doubles under AVX-512): one chain of dependent adds would be bound by the add
// latency.
PT_SIMD_CLONES
double rows_sum(const float* rows, int64_t n, int64_t stride, int64_t sp) {
  constexpr int kLanes = 32;
  double part[kLanes] = {};
  double tail = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = rows + i * stride;
    int64_t j = 0;
    for (; j + kLanes <= sp; j += kLanes) {
      for (int l = 0; l < kLanes; ++l) part[l] += row[j + l];
    }
    for (; j < sp; ++j) tail += row[j];
  }
  double sum = tail;
  for (double v : part) sum += v;
  return sum;
}

// gb[o] = the sum of gy over images and positions, in double like the reference.
void bias_grad(const float* gy, float* gb, const ConvGeometry& g) {
  const int64_t sp = g.oh * g.ow;
  parallel_for(g.o, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(g.n * sp, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) gb[o] = static_cast<float>(rows_sum(gy + o * sp, g.n, g.o * sp, sp));
  });
}

enum class Path { kBatch, kRows, kDepthwise, kWinograd, kWide, kPointwise };

// Output maps with fewer positions than this (8x8) go through the batch path: per-image tiles or
// GEMMs would be too small there to pay for the transforms and the packing.
constexpr int64_t kSmallMap = 64;

// The weight gradient leaves Winograd earlier: its per-task accumulators hold 16·cg·og floats,
// which on maps up to 8x8, or with 256x256 channels a group, cost more than the batch path.
constexpr int64_t kWinogradMaxWeightChannels = 256 * 256;

Path path_of(const ConvGeometry& g, bool weight_grad = false) {
  if (conv_depthwise_applies(g)) return Path::kDepthwise;
  if (conv_rows_applies(g)) return Path::kRows;
  if (g.oh * g.ow < kSmallMap) return Path::kBatch;
  if (weight_grad && (g.oh * g.ow <= kSmallMap ||
                      (g.c / g.groups) * (g.o / g.groups) >= kWinogradMaxWeightChannels)) {
    return Path::kBatch;
  }
  if (conv_winograd_applies(g)) return Path::kWinograd;
  if (conv_wide_applies(g)) return Path::kWide;
  if (is_pointwise(g)) return Path::kPointwise;
  return Path::kBatch;
}

}  // namespace

void conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  switch (path_of(g)) {
    case Path::kWinograd:
      if (conv2d_winograd(x, w, bias, y, g)) return;
      return conv2d_wide(x, w, bias, y, g);
    case Path::kWide:
      return conv2d_wide(x, w, bias, y, g);
    case Path::kDepthwise:
      if (conv2d_depthwise(x, w, bias, y, g)) return;
      return conv2d_batch(x, w, bias, y, g);
    case Path::kBatch:
      return conv2d_batch(x, w, bias, y, g);
    case Path::kRows:
      return conv2d_rows(x, w, bias, y, g);
    case Path::kPointwise:
      break;
  }
  const Dims d = dims_of(g);
  for_images(g, [&](int64_t i) {
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      float* yg = y + (i * g.o + gr * d.og) * d.sp;
      sgemm(false, false, d.og, d.sp, d.kk, w + gr * d.og * d.kk, d.kk, x + (i * g.c + gr * d.cg) * d.hw, d.hw, yg,
            d.sp, false);
      if (bias != nullptr) {
        for (int64_t o = 0; o < d.og; ++o) {
          const float bv = bias[gr * d.og + o];
          float* row = yg + o * d.sp;
          for (int64_t s = 0; s < d.sp; ++s) row[s] += bv;
        }
      }
    }
  });
}

void conv2d_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  switch (path_of(g)) {
    case Path::kWinograd:
      if (conv2d_backward_input_winograd(gy, w, gx, g)) return;
      return conv2d_backward_input_wide(gy, w, gx, g);
    case Path::kWide:
      return conv2d_backward_input_wide(gy, w, gx, g);
    case Path::kDepthwise:
      return conv2d_backward_input_depthwise(gy, w, gx, g);
    case Path::kBatch:
      return conv2d_backward_input_batch(gy, w, gx, g);
    case Path::kRows:
      return conv2d_backward_input_rows(gy, w, gx, g);
    case Path::kPointwise:
      break;
  }
  // The column matrix is gx itself, written directly.
  const Dims d = dims_of(g);
  for_images(g, [&](int64_t i) {
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      sgemm(true, false, d.kk, d.sp, d.og, w + gr * d.og * d.kk, d.kk, gy + (i * g.o + gr * d.og) * d.sp, d.sp,
            gx + (i * g.c + gr * d.cg) * d.hw, d.sp, false);
    }
  });
}

void conv2d_backward_weight(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g) {
  if (gb != nullptr) bias_grad(gy, gb, g);
  switch (path_of(g, true)) {
    case Path::kWinograd:
      if (conv2d_backward_weight_winograd(gy, x, gw, g)) return;
      return conv2d_backward_weight_wide(gy, x, gw, g);
    case Path::kWide:
      return conv2d_backward_weight_wide(gy, x, gw, g);
    case Path::kDepthwise:
      if (conv2d_backward_weight_depthwise(gy, x, gw, g)) return;
      return conv2d_backward_weight_batch(gy, x, gw, g);
    case Path::kBatch:
      return conv2d_backward_weight_batch(gy, x, gw, g);
    case Path::kRows:
      return conv2d_backward_weight_rows(gy, x, gw, g);
    case Path::kPointwise:
      break;
  }
  const Dims d = dims_of(g);
  const int64_t wsize = g.o * d.kk;
  // Images are split into chunks; each chunk sums its images' gradients into its own buffer
  // (chunk 0 straight into gw), and the buffers are added up at the end.
  const int64_t chunks = g.n >= num_threads() ? num_threads() : 1;
  std::vector<float> extra(static_cast<size_t>((chunks - 1) * wsize));
  std::fill(gw, gw + wsize, 0.0f);
  auto run_chunk = [&](int64_t t) {
    float* acc = t == 0 ? gw : extra.data() + (t - 1) * wsize;
    for (int64_t i = g.n * t / chunks; i < g.n * (t + 1) / chunks; ++i) {
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        sgemm(false, true, d.og, d.kk, d.sp, gy + (i * g.o + gr * d.og) * d.sp, d.sp,
              x + (i * g.c + gr * d.cg) * d.hw, d.hw, acc + gr * d.og * d.kk, d.kk, true);
      }
    }
  };
  if (chunks > 1) {
    parallel_tasks(chunks, run_chunk);
  } else {
    run_chunk(0);
  }
  for (int64_t t = 1; t < chunks; ++t) {
    const float* src = extra.data() + (t - 1) * wsize;
    for (int64_t j = 0; j < wsize; ++j) gw[j] += src[j];
  }
}

}  // namespace pt
