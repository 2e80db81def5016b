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
//
// On the smallest maps most of the row matrix is padding: a 3x3, pad-1 kernel meets the image with
// 4 of its 9 taps at each position of a 2x2 map, with 100 of 144 tap-positions on 4x4. There the
// forward and input-gradient passes group the output positions into classes by the taps that meet
// the image (ClassPlan: a map's corners, edges and middle) and run one GEMM a class and run of
// consecutive taps over those taps only (the weight gradient, whose per-class GEMMs would each
// read and write all of gwr's columns, stays on the single GEMM).
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
// The class passes' chunks: twice as large (4 MiB), since each chunk packs wr again for every class
// and run (12% of a 4x4 input gradient's time at 2 MiB chunks, one thread).
constexpr int64_t kClassRowsFloats = 1 << 20;
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

// Use the classes when they save at least this share of the single GEMM's multiply-adds: 2x2,
// 4x4 and 8x8 maps of a 3x3 pad-1 kernel save 56%, 31% and 16% (ResNet-18's stages at 32x32,
// forward: 1.75x, 1.14x and 1.02x faster at one thread, 1.61x, 1.21x and 1.08x at two) ...
constexpr double kMinClassSaving = 0.10;
// ... and at least this many multiply-adds for each float of weights packed beyond the single
// GEMM's (every run's GEMM packs its columns of wr again, chunk by chunk): ResNet-18's 7x7 stage
// at 224x224 (batch 8, 512 channels: 2 images a chunk) saves 4 a float and ran 20% slower by
// classes; the 32x32 stages save 30 to 90.
constexpr double kMinMacsPerPackedFloat = 16.0;

// The output positions that meet the image with the same kept taps.
struct PositionClass {
  int64_t first = 0;     // rank of its first position: positions are ranked class by class
  int64_t count = 0;     // its positions
  int64_t k = 0;         // its row length: its taps x C
  int64_t row_base = 0;  // Σ count·k of the classes before it: its rows start at cnt·row_base
  std::vector<int64_t> taps;              // the kept taps (indices into Plan's) meeting the image, increasing
  std::vector<int64_t> run_at, run_len;   // its runs of consecutive kept taps: first index into taps, length
};

// Within a chunk of cnt images, class c's rows (cnt·count, k) start at cnt·row_base of the row
// matrix, row j·count + r for image j and the class's r-th position (columns: its taps, C floats
// each); its output rows (cnt·count, O) start at row cnt·first of yt, in the same order.
struct ClassPlan {
  std::vector<PositionClass> cls;
  std::vector<int64_t> pos;  // (sp): the output position of each rank
  int64_t row_floats = 0;    // Σ count·k: row matrix floats an image
  // Input gradient: pixel q's entries [into[q], into[q + 1]) are (class cls_of[e], offset base[e]
  // = r·k + j·C within an image's rows of the class), in increasing kept tap.
  std::vector<int64_t> into, cls_of, base;
};

ClassPlan class_plan_of(const ConvGeometry& g, const Plan& pl) {
  ClassPlan cp;
  std::vector<int64_t> class_of(static_cast<size_t>(pl.sp));
  std::vector<std::vector<int64_t>> members;
  for (int64_t p = 0; p < pl.sp; ++p) {
    std::vector<int64_t> taps;
    for (int64_t t = 0; t < pl.nt; ++t) {
      if (pl.src[static_cast<size_t>(p * pl.nt + t)] >= 0) taps.push_back(t);
    }
    size_t c = 0;
    while (c < cp.cls.size() && cp.cls[c].taps != taps) ++c;
    if (c == cp.cls.size()) {
      cp.cls.emplace_back();
      cp.cls.back().taps = taps;
      members.emplace_back();
    }
    class_of[static_cast<size_t>(p)] = static_cast<int64_t>(c);
    members[c].push_back(p);
  }
  std::vector<int64_t> rank_in_class(static_cast<size_t>(pl.sp));
  for (size_t c = 0; c < cp.cls.size(); ++c) {
    PositionClass& pc = cp.cls[c];
    pc.first = static_cast<int64_t>(cp.pos.size());
    pc.count = static_cast<int64_t>(members[c].size());
    pc.k = static_cast<int64_t>(pc.taps.size()) * g.c;
    pc.row_base = cp.row_floats;
    cp.row_floats += pc.count * pc.k;
    for (int64_t r = 0; r < pc.count; ++r) rank_in_class[static_cast<size_t>(members[c][static_cast<size_t>(r)])] = r;
    cp.pos.insert(cp.pos.end(), members[c].begin(), members[c].end());
    for (size_t j = 0; j < pc.taps.size(); ++j) {
      if (j == 0 || pc.taps[j] != pc.taps[j - 1] + 1) {
        pc.run_at.push_back(static_cast<int64_t>(j));
        pc.run_len.push_back(0);
      }
      pc.run_len.back() += 1;
    }
  }
  // pixel q's entries, in increasing kept tap as Plan's
  std::vector<std::vector<std::pair<int64_t, int64_t>>> reads(static_cast<size_t>(pl.hw));
  for (int64_t t = 0; t < pl.nt; ++t) {
    for (int64_t p = 0; p < pl.sp; ++p) {
      const int64_t q = pl.src[static_cast<size_t>(p * pl.nt + t)];
      if (q < 0) continue;
      const int64_t c = class_of[static_cast<size_t>(p)];
      const PositionClass& pc = cp.cls[static_cast<size_t>(c)];
      const int64_t j = std::lower_bound(pc.taps.begin(), pc.taps.end(), t) - pc.taps.begin();
      reads[static_cast<size_t>(q)].emplace_back(c, rank_in_class[static_cast<size_t>(p)] * pc.k + j * g.c);
    }
  }
  cp.into.push_back(0);
  for (const auto& r : reads) {
    for (const auto& [c, b] : r) {
      cp.cls_of.push_back(c);
      cp.base.push_back(b);
    }
    cp.into.push_back(static_cast<int64_t>(cp.cls_of.size()));
  }
  return cp;
}

// Images per chunk of the class passes (the row matrix is cp.row_floats an image): chunks of equal
// size, as many as fit, rounded up to a multiple of the threads, so that each thread runs the same
// number of chunks and their GEMMs by itself (one class's GEMMs are too small to share: a 4x4
// map's corner class has one row an image). At 8x8 with 64 channels, 5 chunks of 13 images had
// left one of two threads 3 and the other 2: 0.88 ms forward against 0.75 with 4 of 16.
int64_t class_chunk(const ConvGeometry& g, const Plan& pl, const ClassPlan& cp) {
  const int64_t fit = std::max<int64_t>(
      1, kClassRowsFloats / std::max<int64_t>(cp.row_floats + pl.hw * g.c + pl.sp * g.o, 1));
  const int64_t threads = num_threads();
  const int64_t chunks = (std::max((g.n + fit - 1) / fit, threads) + threads - 1) / threads * threads;
  return std::max<int64_t>(1, (g.n + chunks - 1) / chunks);
}

// Whether the classes, run in chunks of nb images, save enough of the single GEMM's work to pay
// for their smaller GEMMs.
bool classes_pay(const ConvGeometry& g, const Plan& pl, const ClassPlan& cp, int64_t nb) {
  const double full = static_cast<double>(pl.sp * pl.k);
  const double saved_macs = static_cast<double>(nb) * (full - static_cast<double>(cp.row_floats)) *
                            static_cast<double>(g.o);
  int64_t class_taps = 0;
  for (const PositionClass& pc : cp.cls) class_taps += static_cast<int64_t>(pc.taps.size());
  const double extra_packed = static_cast<double>(std::max<int64_t>(class_taps - pl.nt, 0) * g.c * g.o);
  return static_cast<double>(cp.row_floats) <= (1.0 - kMinClassSaving) * full &&
         saved_macs >= kMinMacsPerPackedFloat * extra_packed;
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

// The forward pass by classes: each class's rows hold its own taps only.
void forward_by_class(const float* x, const float* wr, const float* bias, float* y, const ConvGeometry& g,
                      const Plan& pl, const ClassPlan& cp, int64_t nb) {
  for_chunks(g.n, nb, [&](int64_t i0, int64_t cnt) {
    Scratch& s = scratch();
    float* xt = grow(s.a, cnt * pl.hw * g.c);
    float* row = grow(s.b, std::max<int64_t>(cnt * cp.row_floats, 1));
    float* yt = grow(s.c, cnt * pl.sp * g.o);
    for_images(cnt, [&](int64_t j) {
      float* xi = xt + j * pl.hw * g.c;
      transpose(x + (i0 + j) * g.c * pl.hw, g.c, pl.hw, xi);
      for (const PositionClass& pc : cp.cls) {
        for (int64_t r = 0; r < pc.count; ++r) {
          const int64_t* src = pl.src.data() + cp.pos[static_cast<size_t>(pc.first + r)] * pl.nt;
          float* dst = row + cnt * pc.row_base + (j * pc.count + r) * pc.k;
          for (int64_t t : pc.taps) {
            std::copy(xi + src[t] * g.c, xi + (src[t] + 1) * g.c, dst);
            dst += g.c;
          }
        }
      }
    });
    for (const PositionClass& pc : cp.cls) {
      const int64_t m = cnt * pc.count;
      float* yc = yt + cnt * pc.first * g.o;
      if (pc.k == 0) std::fill(yc, yc + m * g.o, 0.0f);
      for (size_t u = 0; u < pc.run_at.size(); ++u) {
        const int64_t at = pc.run_at[u];
        sgemm(false, true, m, g.o, pc.run_len[u] * g.c, row + cnt * pc.row_base + at * g.c, pc.k,
              wr + pc.taps[static_cast<size_t>(at)] * g.c, pl.k, yc, g.o, u > 0);
      }
    }
    for_images(cnt, [&](int64_t j) {
      float* yi = y + (i0 + j) * g.o * pl.sp;
      for (const PositionClass& pc : cp.cls) {
        for (int64_t r = 0; r < pc.count; ++r) {
          const int64_t p = cp.pos[static_cast<size_t>(pc.first + r)];
          const float* src = yt + (cnt * pc.first + j * pc.count + r) * g.o;
          for (int64_t o = 0; o < g.o; ++o) yi[o * pl.sp + p] = src[o] + (bias != nullptr ? bias[o] : 0.0f);
        }
      }
    });
  });
}

// The input gradient by classes: grow holds each class's taps only, and each pixel sums its entries.
void backward_input_by_class(const float* gy, const float* wr, float* gx, const ConvGeometry& g, const Plan& pl,
                             const ClassPlan& cp, int64_t nb) {
  for_chunks(g.n, nb, [&](int64_t i0, int64_t cnt) {
    Scratch& s = scratch();
    float* gyt = grow(s.a, cnt * pl.sp * g.o);
    float* grow_ = grow(s.b, std::max<int64_t>(cnt * cp.row_floats, 1));
    for_images(cnt, [&](int64_t j) {
      const float* gyi = gy + (i0 + j) * g.o * pl.sp;
      for (const PositionClass& pc : cp.cls) {
        for (int64_t r = 0; r < pc.count; ++r) {
          const int64_t p = cp.pos[static_cast<size_t>(pc.first + r)];
          float* dst = gyt + (cnt * pc.first + j * pc.count + r) * g.o;
          for (int64_t o = 0; o < g.o; ++o) dst[o] = gyi[o * pl.sp + p];
        }
      }
    });
    for (const PositionClass& pc : cp.cls) {
      for (size_t u = 0; u < pc.run_at.size(); ++u) {
        const int64_t at = pc.run_at[u];
        sgemm(false, false, cnt * pc.count, pc.run_len[u] * g.c, g.o, gyt + cnt * pc.first * g.o, g.o,
              wr + pc.taps[static_cast<size_t>(at)] * g.c, pl.k, grow_ + cnt * pc.row_base + at * g.c, pc.k, false);
      }
    }
    for_images(cnt, [&](int64_t j) {
      float* gxt = grow(scratch().c, pl.hw * g.c);
      for (int64_t q = 0; q < pl.hw; ++q) {
        float* dst = gxt + q * g.c;
        std::fill(dst, dst + g.c, 0.0f);
        for (int64_t e = cp.into[static_cast<size_t>(q)]; e < cp.into[static_cast<size_t>(q) + 1]; ++e) {
          const PositionClass& pc = cp.cls[static_cast<size_t>(cp.cls_of[static_cast<size_t>(e)])];
          const float* src = grow_ + cnt * pc.row_base + j * pc.count * pc.k + cp.base[static_cast<size_t>(e)];
          for (int64_t c = 0; c < g.c; ++c) dst[c] += src[c];
        }
      }
      transpose(gxt, pl.hw, g.c, gx + (i0 + j) * g.c * pl.hw);
    });
  });
}

}  // namespace

bool conv_rows_applies(const ConvGeometry& g) {
  const int64_t sp = g.oh * g.ow;
  return g.groups == 1 && sp <= kMaxPositions && g.c >= kMinChannels && g.h * g.w <= kMaxInputPerOutput * sp;
}

void conv2d_rows(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const bool finite = all_finite(w, g.o * g.c * g.kh * g.kw);
  const Plan pl = plan_of(g, !finite);
  PooledFloats wr(g.o * pl.k, false);  // pooled: up to 9 MiB a call (512x512 channels, 9 taps)
  weights_by_tap(w, g, pl, wr.data());
  if (finite) {  // the classes skip the padding's 0·w, which is NaN for an infinite w
    const ClassPlan cp = class_plan_of(g, pl);
    const int64_t nb = class_chunk(g, pl, cp);
    if (classes_pay(g, pl, cp, nb)) return forward_by_class(x, wr.data(), bias, y, g, pl, cp, nb);
  }
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
  const ClassPlan cp = class_plan_of(g, pl);
  const int64_t nb = class_chunk(g, pl, cp);
  if (classes_pay(g, pl, cp, nb)) return backward_input_by_class(gy, wr.data(), gx, g, pl, cp, nb);
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

// The weight gradient splits the images over the threads, each summing its share into its own
// gwr with single-threaded GEMMs, when each share has at least this many output positions (rows of
// the product's k). Otherwise one GEMM a chunk is split over the threads, which scaled 1.4x from one
// thread to two on ResNet-18's 4x4 stage at 32x32 (64 images of 4x4 and 128 channels, 1,024 rows:
// 3.0 -> 2.0 ms; by shares 1.5-1.7 ms, and its 8x8 -> 4x4 entry 1.0 -> 0.8). The 2x2 stage (256
// rows) gained nothing by shares of 128 rows (1.5 ms either way), and four shares a thread, as
// the wide path takes, cost the 4x4 stage 5% at one thread and the 2x2 stage 30% at two.
constexpr int64_t kMinTaskRows = 256;

void conv2d_backward_weight_rows(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Plan pl = plan_of(g, !all_finite(gy, g.n * g.o * g.oh * g.ow));
  const int64_t taps = g.kh * g.kw, wsize = g.o * pl.k;
  const int64_t threads = num_threads();
  const int64_t tasks = threads > 1 && g.n >= threads && g.n * pl.sp / threads >= kMinTaskRows ? threads : 1;
  // A task's first chunk overwrites its gwr, the others add to it; no images: zeros.
  PooledFloats gwr(tasks * wsize, g.n == 0);
  run_tasks(tasks, [&](int64_t t) {
    const int64_t begin = g.n * t / tasks, end = g.n * (t + 1) / tasks;
    for (int64_t i0 = begin; i0 < end && pl.nt > 0; i0 += pl.nb) {
      const int64_t cnt = std::min(pl.nb, end - i0);
      Scratch& s = scratch();
      const int64_t rows = cnt * pl.sp;
      float* xt = grow(s.a, cnt * pl.hw * g.c);
      float* row = grow(s.b, rows * pl.k);
      float* gyt = grow(s.c, rows * g.o);
      im2row(x + i0 * g.c * pl.hw, cnt, g, pl, xt, row);
      transpose_images(gy + i0 * g.o * pl.sp, cnt, g.o, pl.sp, gyt);
      sgemm(true, false, g.o, pl.k, rows, gyt, g.o, row, pl.k, gwr.data() + t * wsize, pl.k, i0 > begin);
    }
  });
  add_accumulators(gwr.data(), gwr.data() + wsize, tasks - 1, wsize);
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
