// Convolution by im2row over the whole batch, channels innermost. For a chunk of images (up to
// kRowsFloats floats of row matrix), with T kept taps and K = T·C:
//   xt (n·hw, C): each image transposed;   row (n·sp, K): row (i, p), columns (t, c) =
//   xt[i, off(p, t), c], C contiguous floats a (position, tap) pair (zeros in the padding);
//   wr (O, K) = w with its taps outermost: wr[o, t·C + c] = w[o, c, tap t]; then
//   forward:          yt (n·sp, O)  = row · wrᵀ,         y = ytᵀ image by image, + bias
//   backward input:   grow (n·sp, K) = gyt · wr,          gxt[i, q] = Σ the (p, t) pairs that read q
//                                                       (increasing t), gx = gxtᵀ image by image
//   backward weight:  gwr (O, K)   += gytᵀ · row,        gw = gwr with the taps back in place
// where gyt (n·sp, O) is gy transposed image by image. Against im2col's (C·T, n·sp) layout
// (conv_batch.cpp), every gather and scatter moves runs of C floats instead of single floats,
// and the transposes go 4 x 4 in registers.
//
// Taps that meet only padding at every output position are dropped as in conv_batch.cpp (kept
// when w, forward, or gy, weight gradient, holds an infinity or NaN: the reference's 0·w, gy·0).
#include "conv_rows.h"

#include <algorithm>
#include <vector>

#include "conv_transpose.h"
#include "conv_util.h"
#include "gemm.h"
#include "parallel.h"
#include "storage_pool.h"

namespace pt {
namespace {

using namespace conv_util;

// Floats of working data per chunk of images (2 MiB, as conv_batch.cpp's column matrix).
constexpr int64_t kRowsFloats = 1 << 19;
// Output maps up to this many positions (8x8) take this path: above, the row matrix (9x the
// input for a 3x3 kernel) costs more than Winograd's transforms; at 8x8 this path ran the
// forward and input-gradient passes of ResNet-18's first stage 10-15% faster than Winograd.
constexpr int64_t kMaxPositions = 64;
// Runs of fewer channels are too short to beat im2col's (C·T, N·sp) layout.
constexpr int64_t kMinChannels = 16;
// Each image is transposed whole: inputs much larger than their outputs (large strides) would
// pay for pixels no tap reads. Stride 2 has 4 input pixels an output position.
constexpr int64_t kMaxInputPerOutput = 4;

struct Plan {
  int64_t sp, hw, nt, k, nb;
  std::vector<int64_t> ki, kj, tap;  // kept taps: kernel row, column, ki·KW + kj
  std::vector<int64_t> src;          // (sp, nt): the input position of output position p, tap t; -1: padding
  std::vector<int64_t> into, from;   // pixel q's entries p·nt + t (increasing t): [into[q], into[q + 1])
};

Plan plan_of(const ConvGeometry& g, bool keep_all_taps) {
  Plan pl;
  pl.sp = g.oh * g.ow;
  pl.hw = g.h * g.w;
  live_tap_grid(g, keep_all_taps, pl.ki, pl.kj);
  pl.nt = static_cast<int64_t>(pl.ki.size());
  for (int64_t t = 0; t < pl.nt; ++t) pl.tap.push_back(pl.ki[t] * g.kw + pl.kj[t]);
  pl.k = pl.nt * g.c;
  // Images per chunk: the row matrix, the transposed input and the transposed output of each
  // (a small output of a large image must not take many large images at once).
  pl.nb = std::max<int64_t>(1, kRowsFloats / std::max<int64_t>(pl.sp * pl.k + pl.hw * g.c + pl.sp * g.o, 1));
  pl.src.resize(static_cast<size_t>(pl.sp * pl.nt));
  std::vector<std::vector<int64_t>> reads(static_cast<size_t>(pl.hw));
  for (int64_t t = 0; t < pl.nt; ++t) {
    for (int64_t p = 0; p < pl.sp; ++p) {
      const int64_t iy = (p / g.ow) * g.stride_h - g.pad_h + pl.ki[static_cast<size_t>(t)] * g.dilation_h;
      const int64_t ix = (p % g.ow) * g.stride_w - g.pad_w + pl.kj[static_cast<size_t>(t)] * g.dilation_w;
      const bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
      pl.src[static_cast<size_t>(p * pl.nt + t)] = in ? iy * g.w + ix : -1;
      if (in) reads[static_cast<size_t>(iy * g.w + ix)].push_back(p * pl.nt + t);
    }
  }
  pl.into.push_back(0);
  for (const std::vector<int64_t>& r : reads) {
    pl.from.insert(pl.from.end(), r.begin(), r.end());
    pl.into.push_back(static_cast<int64_t>(pl.from.size()));
  }
  return pl;
}

// wr (O, K) from w (O, C, KH, KW): the kept taps outermost. With every tap kept, each w[o] (C, T)
// is transposed in registers; otherwise w is read in order, each row of wr (K floats) staying in
// L1 while its strided writes land.
void weights_by_tap(const float* w, const ConvGeometry& g, const Plan& pl, float* wr) {
  const int64_t taps = g.kh * g.kw;
  parallel_for(g.o, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) {
      if (pl.nt == taps) {  // w[o] (C, T) transposed
        transpose(w + o * g.c * taps, g.c, taps, wr + o * pl.k);
        continue;
      }
      for (int64_t c = 0; c < g.c; ++c) {
        const float* src = w + (o * g.c + c) * taps;
        float* dst = wr + o * pl.k + c;
        for (int64_t t = 0; t < pl.nt; ++t) dst[t * g.c] = src[pl.tap[static_cast<size_t>(t)]];
      }
    }
  });
}

// Runs body(image) for the cnt images of a chunk over the pool.
template <class F>
void for_images(int64_t cnt, F body) {
  parallel_for(cnt, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t j = lo; j < hi; ++j) body(j);
  });
}

// The row matrix (cnt·sp, K) of images x[0, cnt), through xt (cnt·hw, C).
void im2row(const float* x, int64_t cnt, const ConvGeometry& g, const Plan& pl, float* xt, float* row) {
  for_images(cnt, [&](int64_t j) {
    const float* xi = xt + j * pl.hw * g.c;
    transpose(x + j * g.c * pl.hw, g.c, pl.hw, xt + j * pl.hw * g.c);
    for (int64_t p = 0; p < pl.sp; ++p) {
      float* dst = row + (j * pl.sp + p) * pl.k;
      const int64_t* src = pl.src.data() + p * pl.nt;
      for (int64_t t = 0; t < pl.nt; ++t, dst += g.c) {
        if (src[t] < 0) {
          std::fill(dst, dst + g.c, 0.0f);
        } else {
          std::copy(xi + src[t] * g.c, xi + (src[t] + 1) * g.c, dst);
        }
      }
    }
  });
}

// gyt (cnt·sp, O) from gy (cnt, O, sp).
void transpose_images(const float* gy, int64_t cnt, int64_t o, int64_t sp, float* gyt) {
  for_images(cnt, [&](int64_t j) { transpose(gy + j * o * sp, o, sp, gyt + j * sp * o); });
}

}  // namespace

bool conv_rows_applies(const ConvGeometry& g) {
  const int64_t sp = g.oh * g.ow;
  return g.groups == 1 && sp <= kMaxPositions && g.c >= kMinChannels && g.h * g.w <= kMaxInputPerOutput * sp;
}

void conv2d_rows(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const Plan pl = plan_of(g, !all_finite(w, g.o * g.c * g.kh * g.kw));
  PooledFloats wr(g.o * pl.k, false);  // pooled: up to 9 MiB a call (512x512 channels, 9 taps)
  weights_by_tap(w, g, pl, wr.data());
  for (int64_t i0 = 0; i0 < g.n; i0 += pl.nb) {
    const int64_t cnt = std::min(pl.nb, g.n - i0);
    Scratch& s = scratch();
    const int64_t rows = cnt * pl.sp;
    float* xt = grow(s.a, cnt * pl.hw * g.c);
    float* row = grow(s.b, rows * std::max<int64_t>(pl.k, 1));
    float* yt = grow(s.c, rows * g.o);
    if (pl.nt > 0) {
      im2row(x + i0 * g.c * pl.hw, cnt, g, pl, xt, row);
      sgemm(false, true, rows, g.o, pl.k, row, pl.k, wr.data(), pl.k, yt, g.o, false);
    } else {  // every tap meets only padding
      std::fill(yt, yt + rows * g.o, 0.0f);
    }
    for_images(cnt, [&](int64_t j) {
      float* yi = y + (i0 + j) * g.o * pl.sp;
      transpose(yt + j * pl.sp * g.o, pl.sp, g.o, yi);
      if (bias != nullptr) {
        for (int64_t o = 0; o < g.o; ++o) {
          for (int64_t p = 0; p < pl.sp; ++p) yi[o * pl.sp + p] += bias[o];
        }
      }
    });
  }
}

void conv2d_backward_input_rows(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const Plan pl = plan_of(g, false);
  if (pl.nt == 0) {
    std::fill(gx, gx + g.n * g.c * pl.hw, 0.0f);
    return;
  }
  PooledFloats wr(g.o * pl.k, false);
  weights_by_tap(w, g, pl, wr.data());
  for (int64_t i0 = 0; i0 < g.n; i0 += pl.nb) {
    const int64_t cnt = std::min(pl.nb, g.n - i0);
    Scratch& s = scratch();
    const int64_t rows = cnt * pl.sp;
    float* gyt = grow(s.a, rows * g.o);
    float* grow_ = grow(s.b, rows * pl.k);
    transpose_images(gy + i0 * g.o * pl.sp, cnt, g.o, pl.sp, gyt);
    sgemm(false, false, rows, pl.k, g.o, gyt, g.o, wr.data(), pl.k, grow_, pl.k, false);
    for_images(cnt, [&](int64_t j) {
      float* gxt = grow(scratch().c, pl.hw * g.c);
      const float* gr = grow_ + j * pl.sp * pl.k;
      for (int64_t q = 0; q < pl.hw; ++q) {
        float* dst = gxt + q * g.c;
        std::fill(dst, dst + g.c, 0.0f);
        for (int64_t e = pl.into[static_cast<size_t>(q)]; e < pl.into[static_cast<size_t>(q) + 1]; ++e) {
          const int64_t pt = pl.from[static_cast<size_t>(e)];
          const float* src = gr + (pt / pl.nt) * pl.k + (pt % pl.nt) * g.c;
          for (int64_t c = 0; c < g.c; ++c) dst[c] += src[c];
        }
      }
      transpose(gxt, pl.hw, g.c, gx + (i0 + j) * g.c * pl.hw);
    });
  }
}

void conv2d_backward_weight_rows(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Plan pl = plan_of(g, !all_finite(gy, g.n * g.o * g.oh * g.ow));
  const int64_t taps = g.kh * g.kw;
  // The first chunk's GEMM overwrites gwr, the others add to it.
  PooledFloats gwr(g.o * pl.k, g.n == 0);
  for (int64_t i0 = 0; i0 < g.n && pl.nt > 0; i0 += pl.nb) {
    const int64_t cnt = std::min(pl.nb, g.n - i0);
    Scratch& s = scratch();
    const int64_t rows = cnt * pl.sp;
    float* xt = grow(s.a, cnt * pl.hw * g.c);
    float* row = grow(s.b, rows * pl.k);
    float* gyt = grow(s.c, rows * g.o);
    im2row(x + i0 * g.c * pl.hw, cnt, g, pl, xt, row);
    transpose_images(gy + i0 * g.o * pl.sp, cnt, g.o, pl.sp, gyt);
    sgemm(true, false, g.o, pl.k, rows, gyt, g.o, row, pl.k, gwr.data(), pl.k, i0 > 0);
  }
  // gw[o, c, tap] = gwr[o, t·C + c], written in order; taps dropped (or all, without images) are 0.
  parallel_for(g.o, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) {
      float* dst = gw + o * g.c * taps;
      if (g.n > 0 && pl.nt == taps) {  // gwr[o] (T, C) transposed
        transpose(gwr.data() + o * pl.k, taps, g.c, dst);
        continue;
      }
      std::fill(dst, dst + g.c * taps, 0.0f);
      if (g.n == 0) continue;
      for (int64_t c = 0; c < g.c; ++c) {
        const float* src = gwr.data() + o * pl.k + c;
        for (int64_t t = 0; t < pl.nt; ++t) dst[c * taps + pl.tap[static_cast<size_t>(t)]] = src[t * g.c];
      }
    }
  });
}

}  // namespace pt
