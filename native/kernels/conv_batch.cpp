// Convolution by im2col over the whole batch. The column matrix of a chunk of images (up to
// kBatchFloats floats, so usually the whole batch) holds the images side by side:
//   col (C·T, N·sp): row (c, t), column (i, oy, ox) = the input pixel tap t meets there
// and each pass is one GEMM a group with the N·sp positions as the long side:
//   forward:          y_g (og, N·sp)    = w_g (og, K) · col_g (K, N·sp)
//   backward input:   gcol_g (K, N·sp)  = w_gᵀ (K, og) · gy_g (og, N·sp), then col2im adds it back
//   backward weight:  gw_g (og, K)      = gy_g (og, N·sp) · col_gᵀ (N·sp, K)
// where y and gy are regrouped between (N, O, sp) and (O, N·sp) by whole runs of sp floats; with
// one position an image (sp = 1) the GEMMs read and write (N, O) directly, transposed. On small
// feature maps (a ResNet's 4x4, 2x2 and 1x1 stages) a per-image GEMM would be tiny; here its long
// side is N·sp. From kImageRows positions an image, each thread takes whole images instead.
//
// On output maps up to kGatherWidth wide, im2col reads each kept tap's row of a plane through a
// table of input offsets (one load and one store an element; copying runs of 2-8 floats with their
// per-row set-up cost as much as the GEMM on 2x2 and 4x4 maps), and col2im sums each pixel's
// entries through the inverse table, in the same order as the direct loop.
//
// Taps that meet only padding at every output position are dropped (T ≤ KH·KW): a 3x3, pad-1
// convolution of a 1x1 map is the 1x1 convolution by its centre tap. Dropping them skips products
// 0·w (forward) and gy·0 (weight gradient) that the reference computes; those are NaN when w (or
// gy) holds an infinity or NaN, so taps are kept whenever that operand is not finite. The backward
// input pass never needs them: col2im discards what they produce.
#include "conv_batch.h"

#include <algorithm>
#include <vector>

#include "conv_util.h"
#include "gemm.h"
#include "parallel.h"

namespace pt {
namespace {

using namespace conv_util;

// Floats of column matrix per chunk of images (2 MiB: with the GEMM's packed panels, about what
// L2 and a share of L3 keep; 8 MiB chunks ran the 8x8 maps' weight gradient 20-30% slower).
constexpr int64_t kBatchFloats = 1 << 19;
// From this many output positions an image, each thread takes whole images, one at a time (its
// GEMMs then run single-threaded on data it has just written, still in its cache).
constexpr int64_t kImageRows = 256;

struct Batch {
  int64_t cg, og, sp, hw;
  int64_t nt;              // taps kept
  int64_t k;               // columns per group: cg·nt
  int64_t ktot;            // columns in all: c·nt
  bool all_taps;           // nt == kh·kw
  std::vector<int64_t> ki, kj;  // the kept taps
  int64_t nb;              // images per chunk
  bool per_thread;         // chunks of one image, spread over the threads
  // Narrow maps (ow <= kGatherWidth): for tap t and output position p, the input offset
  // iy·W + ix, or hw where it falls in the padding (the zero after a copy of the plane).
  std::vector<int32_t> gather;
  // Its inverse, for col2im: pixel q's entries (tap t, position p), in increasing t, are
  // [into[q], into[q + 1]) of from_t and from_p.
  std::vector<int32_t> into, from_t, from_p;
};

// Output maps up to this wide gather each kept tap's row of a plane through b.gather, one load
// and one store an element, instead of copying runs of a few floats with their set-up per row.
constexpr int64_t kGatherWidth = 32;
// The gather copies a plane (and its zero) to the stack: planes up to this many floats.
constexpr int64_t kGatherMaxPlane = 4096;

Batch batch_of(const ConvGeometry& g, bool keep_all_taps) {
  Batch b;
  b.cg = g.c / g.groups;
  b.og = g.o / g.groups;
  b.sp = g.oh * g.ow;
  b.hw = g.h * g.w;
  live_tap_grid(g, keep_all_taps, b.ki, b.kj);
  b.nt = static_cast<int64_t>(b.ki.size());
  b.all_taps = b.nt == g.kh * g.kw;
  b.k = b.cg * b.nt;
  b.ktot = g.c * b.nt;
  b.per_thread = b.sp >= kImageRows && g.n >= num_threads() && num_threads() > 1;
  b.nb = b.per_thread ? 1 : std::max<int64_t>(1, kBatchFloats / std::max<int64_t>(b.sp * b.ktot, 1));
  if (g.ow <= kGatherWidth && b.hw < kGatherMaxPlane) {
    b.gather.resize(static_cast<size_t>(b.nt * b.sp));
    for (int64_t t = 0; t < b.nt; ++t) {
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        const int64_t iy = oy * g.stride_h - g.pad_h + b.ki[t] * g.dilation_h;
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const int64_t ix = ox * g.stride_w - g.pad_w + b.kj[t] * g.dilation_w;
          const bool in = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
          b.gather[static_cast<size_t>(t * b.sp + oy * g.ow + ox)] = static_cast<int32_t>(in ? iy * g.w + ix : b.hw);
        }
      }
    }
    b.into.assign(static_cast<size_t>(b.hw + 2), 0);
    for (int32_t q : b.gather) {
      if (q < b.hw) ++b.into[static_cast<size_t>(q) + 2];
    }
    for (int64_t q = 2; q < b.hw + 2; ++q) b.into[static_cast<size_t>(q)] += b.into[static_cast<size_t>(q - 1)];
    b.from_t.resize(b.gather.size());
    b.from_p.resize(b.gather.size());
    for (int64_t t = 0; t < b.nt; ++t) {  // counting sort by pixel, stable: t stays increasing
      for (int64_t p = 0; p < b.sp; ++p) {
        const int32_t q = b.gather[static_cast<size_t>(t * b.sp + p)];
        if (q == b.hw) continue;  // padding: col2im drops it
        const int32_t at = b.into[static_cast<size_t>(q) + 1]++;
        b.from_t[static_cast<size_t>(at)] = static_cast<int32_t>(t);
        b.from_p[static_cast<size_t>(at)] = static_cast<int32_t>(p);
      }
    }
    b.into.resize(static_cast<size_t>(b.hw + 1));
  }
  return b;
}

// Output columns [lo, hi) whose input column ox·stride + off lies inside [0, w).
void valid_columns(const ConvGeometry& g, int64_t off, int64_t* lo, int64_t* hi) {
  auto ceil_div = [](int64_t p, int64_t q) { return p <= 0 ? int64_t{0} : (p + q - 1) / q; };
  *lo = std::min(ceil_div(-off, g.stride_w), g.ow);
  *hi = std::max(*lo, std::min(ceil_div(g.w - off, g.stride_w), g.ow));
}

// Runs body(image, channel) over the pairs of cnt images, spread over the pool.
template <class F>
void for_planes(int64_t cnt, const ConvGeometry& g, const Batch& b, F body) {
  parallel_for(cnt * g.c, std::max<int64_t>(1, 8192 / std::max<int64_t>(b.nt * b.sp, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t q = lo; q < hi; ++q) body(q / g.c, q % g.c);
  });
}

// The kept taps' rows of col (row stride ld) for channel plane x (H, W) of one image, written
// at that image's columns (col points at them).
void im2col_plane(const float* x, const ConvGeometry& g, const Batch& b, float* col, int64_t ld) {
  if (!b.gather.empty()) {
    float plane[kGatherMaxPlane + 1];
    std::copy(x, x + b.hw, plane);
    plane[b.hw] = 0.0f;
    const int32_t* idx = b.gather.data();
    for (int64_t t = 0; t < b.nt; ++t, col += ld, idx += b.sp) {
      for (int64_t p = 0; p < b.sp; ++p) col[p] = plane[idx[p]];
    }
    return;
  }
  for (int64_t t = 0; t < b.nt; ++t, col += ld) {
    const int64_t off = b.kj[t] * g.dilation_w - g.pad_w;
    int64_t lo, hi;
    valid_columns(g, off, &lo, &hi);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      float* dst = col + oy * g.ow;
      const int64_t iy = oy * g.stride_h - g.pad_h + b.ki[t] * g.dilation_h;
      if (iy < 0 || iy >= g.h) {
        std::fill(dst, dst + g.ow, 0.0f);
        continue;
      }
      const float* src = x + iy * g.w;
      std::fill(dst, dst + lo, 0.0f);
      if (g.stride_w == 1) {
        std::copy(src + off + lo, src + off + hi, dst + lo);
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) dst[ox] = src[ox * g.stride_w + off];
      }
      std::fill(dst + hi, dst + g.ow, 0.0f);
    }
  }
}

// The adjoint of im2col_plane: gx (H, W) of one channel (overwritten) = col's entries summed
// onto their pixels.
void col2im_plane(const float* col, int64_t ld, const ConvGeometry& g, const Batch& b, float* gx) {
  if (!b.gather.empty()) {  // each pixel sums its entries in the order of the loops below
    for (int64_t q = 0; q < b.hw; ++q) {
      float acc = 0.0f;
      for (int32_t e = b.into[static_cast<size_t>(q)]; e < b.into[static_cast<size_t>(q) + 1]; ++e) {
        acc += col[b.from_t[static_cast<size_t>(e)] * ld + b.from_p[static_cast<size_t>(e)]];
      }
      gx[q] = acc;
    }
    return;
  }
  std::fill(gx, gx + b.hw, 0.0f);
  for (int64_t t = 0; t < b.nt; ++t, col += ld) {
    const int64_t off = b.kj[t] * g.dilation_w - g.pad_w;
    int64_t lo, hi;
    valid_columns(g, off, &lo, &hi);
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const int64_t iy = oy * g.stride_h - g.pad_h + b.ki[t] * g.dilation_h;
      if (iy < 0 || iy >= g.h) continue;
      const float* src = col + oy * g.ow;
      float* dst = gx + iy * g.w;
      for (int64_t ox = lo; ox < hi; ++ox) dst[ox * g.stride_w + off] += src[ox];
    }
  }
}

// col (c·nt, cnt·sp) for the images x[0, cnt) (each c·hw floats).
void im2col(const float* x, int64_t cnt, const ConvGeometry& g, const Batch& b, float* col) {
  const int64_t ld = cnt * b.sp;
  for_planes(cnt, g, b, [&](int64_t j, int64_t c) {
    im2col_plane(x + (j * g.c + c) * b.hw, g, b, col + c * b.nt * ld + j * b.sp, ld);
  });
}

// (cnt, O, sp) ↔ (O, cnt·sp): whole runs of sp floats; `back` goes from the second to the first.
void regroup(const float* src, int64_t cnt, int64_t o, int64_t sp, bool back, float* dst) {
  parallel_for(cnt * o, std::max<int64_t>(1, 16384 / std::max<int64_t>(sp, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t q = lo; q < hi; ++q) {
      const int64_t j = q / o, a = q % o;
      const float* from = back ? src + (a * cnt + j) * sp : src + q * sp;
      float* to = back ? dst + q * sp : dst + (a * cnt + j) * sp;
      std::copy(from, from + sp, to);
    }
  });
}

// The kept taps of w (O, cg, KH, KW) → (O, cg·nt).
void pack_weights(const float* w, const ConvGeometry& g, const Batch& b, float* wa) {
  for (int64_t oc = 0; oc < g.o * b.cg; ++oc) {
    for (int64_t t = 0; t < b.nt; ++t) wa[oc * b.nt + t] = w[(oc * g.kh + b.ki[t]) * g.kw + b.kj[t]];
  }
}

// Runs body(first image, count) over the chunks of the batch: in order, each using every thread,
// or (per_thread) one image a task over the pool.
template <class F>
void for_chunks_of(const ConvGeometry& g, const Batch& b, F body) {
  if (b.per_thread) {
    parallel_tasks(g.n, [&](int64_t i) { body(i, 1); });
  } else {
    for (int64_t i0 = 0; i0 < g.n; i0 += b.nb) body(i0, std::min(b.nb, g.n - i0));
  }
}

// w with only the kept taps (w itself when all are kept); `store` holds the copy.
const float* kept_weights(const float* w, const ConvGeometry& g, const Batch& b, std::vector<float>& store) {
  if (b.all_taps) return w;
  store.resize(static_cast<size_t>(g.o * b.k));
  pack_weights(w, g, b, store.data());
  return store.data();
}

}  // namespace

void conv2d_batch(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const Batch b = batch_of(g, !all_finite(w, g.o * (g.c / g.groups) * g.kh * g.kw));
  if (b.nt == 0) {  // every tap meets only padding
    for (int64_t q = 0; q < g.n * g.o; ++q) std::fill(y + q * b.sp, y + (q + 1) * b.sp, bias == nullptr ? 0.0f : bias[q % g.o]);
    return;
  }
  std::vector<float> store;
  const float* wa = kept_weights(w, g, b, store);
  for_chunks_of(g, b, [&](int64_t i0, int64_t cnt) {
    Scratch& s = scratch();
    const int64_t rows = cnt * b.sp;
    float* col = grow(s.a, rows * b.ktot);
    im2col(x + i0 * g.c * b.hw, cnt, g, b, col);
    float* yi = y + i0 * g.o * b.sp;
    // One image: y_i (O, sp) is the GEMM's output as it is.
    float* out = cnt == 1 ? yi : grow(s.b, g.o * rows);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* cg = col + gr * b.k * rows;
      const float* wg = wa + gr * b.og * b.k;
      if (b.sp == 1) {  // yT (cnt, O) is y
        sgemm(true, true, rows, b.og, b.k, cg, rows, wg, b.k, yi + gr * b.og, g.o, false);
      } else {
        sgemm(false, false, b.og, rows, b.k, wg, b.k, cg, rows, out + gr * b.og * rows, rows, false);
      }
    }
    if (b.sp != 1 && cnt != 1) regroup(out, cnt, g.o, b.sp, true, yi);
    if (bias != nullptr) {
      parallel_for(cnt * g.o, std::max<int64_t>(1, 16384 / b.sp), [&](int64_t lo, int64_t hi) {
        for (int64_t q = lo; q < hi; ++q) {
          const float bv = bias[q % g.o];
          float* row = yi + q * b.sp;
          for (int64_t p = 0; p < b.sp; ++p) row[p] += bv;
        }
      });
    }
  });
}

void conv2d_backward_input_batch(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const Batch b = batch_of(g, false);
  if (b.nt == 0) {
    std::fill(gx, gx + g.n * g.c * b.hw, 0.0f);
    return;
  }
  std::vector<float> store;
  const float* wa = kept_weights(w, g, b, store);
  for_chunks_of(g, b, [&](int64_t i0, int64_t cnt) {
    Scratch& s = scratch();
    const int64_t rows = cnt * b.sp;
    const float* gyi = gy + i0 * g.o * b.sp;
    const float* gyr = gyi;  // (O, rows): gy itself for one image
    if (b.sp != 1 && cnt != 1) {
      float* t = grow(s.b, g.o * rows);
      regroup(gyi, cnt, g.o, b.sp, false, t);
      gyr = t;
    }
    float* gcol = grow(s.a, rows * b.ktot);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* wg = wa + gr * b.og * b.k;
      float* cg = gcol + gr * b.k * rows;
      if (b.sp == 1) {  // gy (cnt, O) is gyT
        sgemm(true, true, b.k, rows, b.og, wg, b.k, gyi + gr * b.og, g.o, cg, rows, false);
      } else {
        sgemm(true, false, b.k, rows, b.og, wg, b.k, gyr + gr * b.og * rows, rows, cg, rows, false);
      }
    }
    float* gxi = gx + i0 * g.c * b.hw;
    for_planes(cnt, g, b, [&](int64_t j, int64_t c) {
      col2im_plane(gcol + c * b.nt * rows + j * b.sp, rows, g, b, gxi + (j * g.c + c) * b.hw);
    });
  });
}

void conv2d_backward_weight_batch(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Batch b = batch_of(g, !all_finite(gy, g.n * g.o * g.oh * g.ow));
  const int64_t wsize = g.o * b.cg * g.kh * g.kw;
  const int64_t asize = g.o * b.k;
  // Per-thread chunks sum into one accumulator per thread (the first is gw's own when all taps
  // are kept), added up at the end; otherwise chunks accumulate in turn.
  const int64_t accs = b.per_thread ? num_threads() : 1;
  std::vector<float> store(static_cast<size_t>((accs - (b.all_taps ? 1 : 0)) * asize), 0.0f);
  float* acc0 = b.all_taps ? gw : store.data();
  std::fill(acc0, acc0 + asize, 0.0f);
  auto acc_of = [&](int64_t t) { return t == 0 ? acc0 : store.data() + (t - (b.all_taps ? 1 : 0)) * asize; };
  auto chunk = [&](int64_t i0, int64_t cnt, float* acc) {
    Scratch& s = scratch();
    const int64_t rows = cnt * b.sp;
    const float* gyi = gy + i0 * g.o * b.sp;
    const float* gyr = gyi;
    if (b.sp != 1 && cnt != 1) {
      float* t = grow(s.b, g.o * rows);
      regroup(gyi, cnt, g.o, b.sp, false, t);
      gyr = t;
    }
    float* col = grow(s.a, rows * b.ktot);
    im2col(x + i0 * g.c * b.hw, cnt, g, b, col);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* cg = col + gr * b.k * rows;
      float* dst = acc + gr * b.og * b.k;
      if (b.sp == 1) {
        sgemm(true, true, b.og, b.k, rows, gyi + gr * b.og, g.o, cg, rows, dst, b.k, true);
      } else {
        sgemm(false, true, b.og, b.k, rows, gyr + gr * b.og * rows, rows, cg, rows, dst, b.k, true);
      }
    }
  };
  if (b.nt > 0 && b.per_thread) {
    parallel_tasks(accs, [&](int64_t t) {
      for (int64_t i = g.n * t / accs; i < g.n * (t + 1) / accs; ++i) chunk(i, 1, acc_of(t));
    });
    if (accs > 1) add_accumulators(acc0, acc_of(1), accs - 1, asize);  // acc_of(1) on: consecutive
  } else if (b.nt > 0) {
    for (int64_t i0 = 0; i0 < g.n; i0 += b.nb) chunk(i0, std::min(b.nb, g.n - i0), acc0);
  }
  if (!b.all_taps) {
    std::fill(gw, gw + wsize, 0.0f);
    for (int64_t oc = 0; oc < g.o * b.cg; ++oc) {
      for (int64_t t = 0; t < b.nt; ++t) gw[(oc * g.kh + b.ki[t]) * g.kw + b.kj[t]] = acc0[oc * b.nt + t];
    }
  }
}

}  // namespace pt
