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
// The weight gradient of few-tap filters (first layers, and 3x3 ones whose taps x channels fit
// 256 KiB on maps from 8x8, 1 MiB if strided or narrow) goes before all of these to direct outer
// products, its bias gradient in the same pass (conv_wgrad_direct.cpp). Likewise the forward
// pass and the input gradient of ungrouped layers on 7x7 to 8x8 maps, of strided layers and of
// first layers (rows of at least 7 positions; conv_direct.h) go first to direct outer products
// (conv_direct.cpp).
// Before all of these, the forward pass and input gradient of 3x3 stride-1 layers wide enough for
// Winograd to win on maps from 4x4 to 8x8 go to it (conv_winograd_preferred).
// This file also keeps the bias gradient, shared by every path.
#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_batch.h"
#include "conv_depthwise.h"
#include "conv_rows.h"
#include "conv_util.h"
#include "conv_direct.h"
#include "conv_wgrad_direct.h"
#include "conv_wide.h"
#include "conv_winograd.h"
#include "gemm.h"
#include "parallel.h"

namespace pt {

namespace conv_util {

PT_SIMD_CLONES bool all_finite(const float* v, int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, v + i, sizeof bits);
    bad |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

namespace {

PT_SIMD_CLONES void add_into(float* __restrict dst, const float* __restrict src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace

void add_accumulators(float* first, const float* rest, int64_t count, int64_t size) {
  if (count <= 0) return;
  parallel_for(size, 4096, [&](int64_t lo, int64_t hi) {
    for (int64_t k = 0; k < count; ++k) add_into(first + lo, rest + k * size + lo, hi - lo);
  });
}

}  // namespace conv_util

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

// Eight floats, and eight doubles: GCC vectors (ymm and zmm under AVX-512), used only inside the
// cloned function below, never passed between functions.
typedef float F8 __attribute__((vector_size(32)));
typedef double D8 __attribute__((vector_size(64)));

// The sum of rows[i·stride, i·stride + sp) over i < n, in double, into four vectors of partial
// sums (one chain of dependent adds would be bound by the add latency): each row's runs of 32
// floats into all four, then what is left of the rows (runs of 8, then single floats), four
// rows at a time, one row to a vector.
PT_SIMD_CLONES
double rows_sum(const float* rows, int64_t n, int64_t stride, int64_t sp) {
  D8 acc[4] = {};
  double tail[4] = {};
  const int64_t j0 = sp / 32 * 32;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = rows + i * stride;
    for (int64_t j = 0; j < j0; j += 32) {
      for (int q = 0; q < 4; ++q) {
        F8 v;
        std::memcpy(&v, row + j + 8 * q, sizeof v);
        acc[q] += __builtin_convertvector(v, D8);
      }
    }
  }
  const auto rest = [&](const float* row, D8& a, double& t) {
    int64_t j = j0;
    for (; j + 8 <= sp; j += 8) {
      F8 v;
      std::memcpy(&v, row + j, sizeof v);
      a += __builtin_convertvector(v, D8);
    }
    for (; j < sp; ++j) t += row[j];
  };
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (int q = 0; q < 4; ++q) rest(rows + (i + q) * stride, acc[q], tail[q]);
  }
  for (; i < n; ++i) rest(rows + i * stride, acc[0], tail[0]);
  const D8 v = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  double sum = (tail[0] + tail[1]) + (tail[2] + tail[3]);
  for (int l = 0; l < 8; ++l) sum += v[l];
  return sum;
}

// For the channels [0, count) of a run whose gy rows (sp floats each) sit channel after channel
// in every image (image i's at rows + i·stride): lanes[8k, 8k + 8) += channel k's runs of 8 floats
// and tail[k] += the rest, image by image, so that consecutive rows are read in order and each
// channel's sums are a chain of their own.
PT_SIMD_CLONES
void channel_sums(const float* rows, int64_t n, int64_t stride, int64_t sp, int64_t count, double* lanes,
                  double* tail) {
  for (int64_t i = 0; i < n; ++i) {
    const float* img = rows + i * stride;
    for (int64_t k = 0; k < count; ++k) {
      const float* row = img + k * sp;
      int64_t j = 0;
      if (sp >= 8) {
        D8 a;
        std::memcpy(&a, lanes + 8 * k, sizeof a);
        for (; j + 8 <= sp; j += 8) {
          F8 v;
          std::memcpy(&v, row + j, sizeof v);
          a += __builtin_convertvector(v, D8);
        }
        std::memcpy(lanes + 8 * k, &a, sizeof a);
      }
      for (; j < sp; ++j) tail[k] += row[j];
    }
  }
}

// Maps of fewer positions than this sum runs of channels image by image (channel_sums): their
// rows, one a channel and image, are too short for rows_sum's walk from image to image.
constexpr int64_t kShortRows = 64;

// gb[o] = the sum of gy over images and positions, in double like the reference.
void bias_grad(const float* gy, float* gb, const ConvGeometry& g) {
  const int64_t sp = g.oh * g.ow;
  const int64_t grain = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(g.n * sp, 1));
  if (sp >= kShortRows) {
    parallel_for(g.o, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o) gb[o] = static_cast<float>(rows_sum(gy + o * sp, g.n, g.o * sp, sp));
    });
    return;
  }
  parallel_for(g.o, grain, [&](int64_t lo, int64_t hi) {
    std::vector<double> lanes(static_cast<size_t>(8 * (hi - lo)), 0.0), tail(static_cast<size_t>(hi - lo), 0.0);
    channel_sums(gy + lo * sp, g.n, g.o * sp, sp, hi - lo, lanes.data(), tail.data());
    for (int64_t o = lo; o < hi; ++o) {
      const double* l = lanes.data() + 8 * (o - lo);
      const double sum = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
      gb[o] = static_cast<float>(sum + tail[static_cast<size_t>(o - lo)]);
    }
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
  if (conv_winograd_preferred(g) && conv2d_winograd(x, w, bias, y, g)) return;
  if (conv2d_direct(x, w, bias, y, g)) return;
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
  if (conv_winograd_preferred(g) && conv2d_backward_input_winograd(gy, w, gx, g)) return;
  if (conv2d_backward_input_direct(gy, w, gx, g)) return;
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
  if (conv2d_backward_weight_direct(gy, x, gw, gb, g)) return;  // the bias gradient in the same pass
  const Path path = path_of(g, true);
  // The depthwise planes' pass sums gb with gw, in one read of gy.
  if (path == Path::kDepthwise && conv2d_backward_weight_bias_depthwise(gy, x, gw, gb, g)) return;
  if (gb != nullptr) bias_grad(gy, gb, g);
  switch (path) {
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
  conv_util::add_accumulators(gw, extra.data(), chunks - 1, wsize);
}

}  // namespace pt
