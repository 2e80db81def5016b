// The direct weight gradient (conv_wgrad_direct.h): gwᵀ (T taps, O) = Σ over images and output
// positions p of xcol(p) ⊗ gy(p), where xcol(p) holds the T input values the taps read at p.
//
// Per image, x is laid out as phase planes (conv_phase_planes.h), so that along an output row
// every tap reads consecutive floats.
// gy is transposed to (positions, Op), Op = O rounded up to 16 (the extra columns zero).
//
// The micro-kernel (outer_block) holds a block of TB taps x NV·16 channels of gwᵀ in zmm
// registers and, for each output position, loads NV vectors of gy and broadcasts TB x values,
// NV·TB fused multiply-adds: a GEMM micro-kernel whose A panel is read in place from the phase
// planes, so the column matrix im2col would copy (T rows of every position) never exists. Output
// rows go in chunks whose gy rows fit in L1; every block of taps and channels runs over a chunk
// before the next one is touched. Each task sums a share of the images into its own accumulator,
// (T, Op) floats; the tasks' accumulators are added up in task order at the end.
//
// A block skips the output positions where all its taps read padding (ResNet's 7x7, pad-3 stem
// on a 16x16 output: 8% of the products; a 3x3, pad-1 layer on 8x8: 16%), unless the chunk's gy
// holds an infinity or NaN, whose product with the padding's zero is the reference's NaN; so
// non-finite values come out as the reference's, and only the order of the sums differs.
#include "conv_wgrad_direct.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "conv_phase_planes.h"
#include "conv_transpose.h"
#include "conv_util.h"
#include "storage_pool.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PT_WGRAD_DIRECT_AVX512 1
#endif

namespace pt {
namespace {

using namespace conv_util;

// Taps a filter (C·KH·KW) up to which the direct path always runs: a 7x7 kernel on 3 channels
// is 147.
constexpr int64_t kDirectMaxTaps = 160;
// Beyond that, it runs where a task's accumulator (taps x Op floats) fits in a quarter of an L2
// and the output map has at least 8x8 positions (smaller ones run too few positions a block; at
// 8x8, ResNet-18's 64-channel stage at 32x32 ran 1.64 -> 1.50 ms at one thread and 1.11 -> 0.80 at
// two against the rows path's GEMM).
constexpr int64_t kDirectMaxAccFloats = 64 * 1024;
constexpr int64_t kDirectMinPositions = 64;

// The largest block of taps for NV vectors of channels: NV·TB accumulators plus NV gy vectors
// and a broadcast stay within the 32 zmm registers.
constexpr int kMaxTb[5] = {0, 16, 12, 8, 6};

// Output positions a chunk of output rows holds (at least one row): the gy of a block's
// channels, up to 64 floats a position, fills half of a 48 KiB L1d.
constexpr int64_t kChunkPositions = 96;

// The output positions a block of taps runs over: rows [oy0, oy1) x columns [ox0, ox1).
struct Window {
  int64_t oy0, oy1, ox0, ox1;
};

#if PT_WGRAD_DIRECT_AVX512
const bool kAvx512 = __builtin_cpu_supports("avx512f");

// acc (TB rows of stride acc_ld, NV·16 floats each) += Σ over output rows [oy0, oy1) and columns
// [ox0, ox1) of x(tap t at that position) · gt(position, 16·NV channels). q: the phase planes (tap
// t reads q[off[t] + oy·wq + ox]); gt: the transposed gy of the chunk's rows from row r0 on, ow
// positions a row and ld floats a position.
template <int NV, int TB>
__attribute__((target("avx512f"))) void outer_block(const float* q, const int64_t* off, const float* gt, int64_t ld,
                                                    int64_t r0, const Window& win, int64_t ow, int64_t wq, float* acc,
                                                    int64_t acc_ld) {
  __m512 a[TB][NV];
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) a[t][v] = _mm512_loadu_ps(acc + t * acc_ld + 16 * v);
  }
  for (int64_t oy = win.oy0; oy < win.oy1; ++oy) {
    const float* g = gt + ((oy - r0) * ow + win.ox0) * ld;
    const float* p[TB];
#pragma GCC unroll 16
    for (int t = 0; t < TB; ++t) p[t] = q + off[t] + oy * wq;
    for (int64_t ox = win.ox0; ox < win.ox1; ++ox, g += ld) {
      __m512 gv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) gv[v] = _mm512_loadu_ps(g + 16 * v);
#pragma GCC unroll 16
      for (int t = 0; t < TB; ++t) {
        const __m512 b = _mm512_set1_ps(p[t][ox]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) a[t][v] = _mm512_fmadd_ps(b, gv[v], a[t][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(acc + t * acc_ld + 16 * v, a[t][v]);
  }
}

// sums[o] += Σ over the cp rows of gt (ld floats each) of gt[row][o], for o < 16·nv: the bias
// gradient of a chunk, its float partial sums added into double.
__attribute__((target("avx512f"))) void column_sums(const float* gt, int64_t cp, int64_t ld, int64_t nv,
                                                    double* sums) {
  for (int64_t v = 0; v < nv; ++v) {
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    int64_t r = 0;
    for (; r + 2 <= cp; r += 2) {
      a0 = _mm512_add_ps(a0, _mm512_loadu_ps(gt + r * ld + 16 * v));
      a1 = _mm512_add_ps(a1, _mm512_loadu_ps(gt + (r + 1) * ld + 16 * v));
    }
    if (r < cp) a0 = _mm512_add_ps(a0, _mm512_loadu_ps(gt + r * ld + 16 * v));
    const __m512 a = _mm512_add_ps(a0, a1);
    double* d = sums + 16 * v;
    _mm512_storeu_pd(d, _mm512_add_pd(_mm512_loadu_pd(d), _mm512_cvtps_pd(_mm512_castps512_ps256(a))));
    _mm512_storeu_pd(d + 8, _mm512_add_pd(_mm512_loadu_pd(d + 8),
                                          _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)))));
  }
}

// Prefetches rows [0, rows) (stride ld) of len floats each into the caches.
void prefetch_rows(const float* m, int64_t rows, int64_t len, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const char* row = reinterpret_cast<const char*>(m + r * ld);
    for (int64_t b = 0; b < len * 4; b += 64) _mm_prefetch(row + b, _MM_HINT_T1);
    _mm_prefetch(row + len * 4 - 1, _MM_HINT_T1);
  }
}

using BlockFn = void (*)(const float*, const int64_t*, const float*, int64_t, int64_t, const Window&, int64_t,
                         int64_t, float*, int64_t);

template <int NV, size_t... I>
constexpr std::array<BlockFn, sizeof...(I)> blocks_of(std::index_sequence<I...>) {
  return {&outer_block<NV, static_cast<int>(I) + 1>...};
}

// kernels[NV − 1][TB − 1], TB up to kMaxTb[NV] (the rest null).
const std::array<BlockFn, 16> kBlocks1 = blocks_of<1>(std::make_index_sequence<16>());
const std::array<BlockFn, 12> kBlocks2 = blocks_of<2>(std::make_index_sequence<12>());
const std::array<BlockFn, 8> kBlocks3 = blocks_of<3>(std::make_index_sequence<8>());
const std::array<BlockFn, 6> kBlocks4 = blocks_of<4>(std::make_index_sequence<6>());

BlockFn block_fn(int nv, int tb) {
  switch (nv) {
    case 1:
      return kBlocks1[static_cast<size_t>(tb - 1)];
    case 2:
      return kBlocks2[static_cast<size_t>(tb - 1)];
    case 3:
      return kBlocks3[static_cast<size_t>(tb - 1)];
    default:
      return kBlocks4[static_cast<size_t>(tb - 1)];
  }
}
#endif

// Taps go in (ki, kj, c) order, so that a block of taps shares its kernel offsets (or spans a few
// neighbouring ones) and with them the rectangle of output positions where it reads pixels rather
// than padding.
struct Plan : PhaseGeometry {
  int64_t taps, op;          // C·KH·KW; O rounded up to 16
  std::vector<int64_t> off;  // tap t's first float in the phase planes
};

Plan plan_of(const ConvGeometry& g) {
  Plan p{};
  static_cast<PhaseGeometry&>(p) = phase_geometry(g);
  p.taps = g.c * g.kh * g.kw;
  p.op = (g.o + 15) / 16 * 16;
  for (int64_t ki = 0; ki < g.kh; ++ki) {
    for (int64_t kj = 0; kj < g.kw; ++kj) {
      for (int64_t c = 0; c < g.c; ++c) p.off.push_back(tap_offset(g, p, c, ki, kj));
    }
  }
  return p;
}

// The window of taps [t0, t1) (in plan order): where any of them reads a pixel.
Window window_of(const ConvGeometry& g, int64_t t0, int64_t t1) {
  const int64_t k0 = t0 / g.c, k1 = (t1 - 1) / g.c;  // first and last kernel offset, ki·KW + kj
  const int64_t ki0 = k0 / g.kw, ki1 = k1 / g.kw;
  const int64_t kj0 = ki0 == ki1 ? k0 % g.kw : 0, kj1 = ki0 == ki1 ? k1 % g.kw : g.kw - 1;
  const auto [oy0, oy1] = reach(g.oh, g.stride_h, g.pad_h, g.h, ki0, ki1);
  const auto [ox0, ox1] = reach(g.ow, g.stride_w, g.pad_w, g.w, kj0, kj1);
  return {oy0, oy1, ox0, ox1};
}

}  // namespace

bool conv_wgrad_direct_applies(const ConvGeometry& g) {
#if PT_WGRAD_DIRECT_AVX512
  // 1x1 kernels on more than 4 channels stay GEMMs (pointwise, or the batch path): their phase
  // planes copy the whole image for taps that read one plane (ResNet-18's 1x1/2 shortcut, 64
  // channels on 8x8: 0.19 -> 0.34 ms through the direct path)
  if (g.kh * g.kw == 1 && g.c > 4) return false;
  return kAvx512 && g.groups == 1 && g.dilation_h == 1 && g.dilation_w == 1 && g.stride_h >= 1 &&
         g.stride_h <= 4 && g.stride_w >= 1 && g.stride_w <= 4 && (g.c * g.kh * g.kw <= kDirectMaxTaps ||
          (g.c * g.kh * g.kw * ((g.o + 15) / 16 * 16) <= kDirectMaxAccFloats && g.oh * g.ow >= kDirectMinPositions)) &&
         g.oh >= 1 && g.ow >= 1 && g.o >= 1 && g.oh == (g.h + 2 * g.pad_h - g.kh) / g.stride_h + 1 &&
         g.ow == (g.w + 2 * g.pad_w - g.kw) / g.stride_w + 1;
#else
  (void)g;
  return false;
#endif
}

bool conv2d_backward_weight_direct(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g) {
#if PT_WGRAD_DIRECT_AVX512
  if (!conv_wgrad_direct_applies(g)) return false;
  const Plan p = plan_of(g);
  const int64_t sp = g.oh * g.ow, hw = g.h * g.w;
  const int64_t asize = p.taps * p.op;
  // Blocks: channel groups of up to 4 vectors, each cut into runs of taps: a kernel offset's C
  // taps in near-equal runs, or, when C is below a block, near-equal runs of whole offsets.
  struct Block {
    BlockFn fn;
    int64_t t0, v0;
    Window win;
  };
  std::vector<Block> blocks;
  const int64_t nvt = p.op / 16, offsets = g.kh * g.kw;
  for (const auto& [v0, v1] : even_split(nvt, (nvt + 3) / 4)) {
    const int nv = static_cast<int>(v1 - v0);
    const int64_t tb = kMaxTb[nv];
    std::vector<std::pair<int64_t, int64_t>> runs;
    if (g.c >= tb) {
      for (int64_t k = 0; k < offsets; ++k) {
        for (const auto& [c0, c1] : even_split(g.c, (g.c + tb - 1) / tb)) runs.emplace_back(k * g.c + c0, k * g.c + c1);
      }
    } else {
      const int64_t per = tb / g.c;
      for (const auto& [k0, k1] : even_split(offsets, (offsets + per - 1) / per)) runs.emplace_back(k0 * g.c, k1 * g.c);
    }
    for (const auto& [t0, t1] : runs) {
      blocks.push_back({block_fn(nv, static_cast<int>(t1 - t0)), t0, v0, window_of(g, t0, t1)});
    }
  }
  const bool windowed = std::any_of(blocks.begin(), blocks.end(), [&](const Block& b) {
    return b.win.oy0 > 0 || b.win.oy1 < g.oh || b.win.ox0 > 0 || b.win.ox1 < g.ow;
  });
  const int64_t rows = std::max<int64_t>(1, kChunkPositions / g.ow);
  // Jobs: a share of the images (a task, with its own accumulator) x a share of the blocks (a
  // part); fewer images than threads split the blocks instead, every part walking every image.
  const int64_t tasks = accumulator_tasks(g.n);
  const int64_t parts =
      g.n < num_threads() ? std::min<int64_t>(num_threads(), static_cast<int64_t>(blocks.size())) : 1;
  const auto block_parts = even_split(static_cast<int64_t>(blocks.size()), parts);
  PooledFloats acc(tasks * asize, true);
  std::vector<double> bsum(static_cast<size_t>(tasks * p.op), 0.0);
  run_tasks(tasks * parts, [&](int64_t job) {
    const int64_t task = job / parts, part = job % parts;
    const bool sums = gb != nullptr && part == 0;  // the bias gradient: part 0 of each task
    Scratch& s = scratch();
    float* q = grow(s.a, g.c * p.sh * p.sw * p.plane);
    float* gt = grow(s.b, rows * g.ow * p.op);
    if (p.op != g.o) std::fill(gt, gt + rows * g.ow * p.op, 0.0f);  // the extra channels stay zero
    float* at = acc.data() + task * asize;
    for (int64_t i = g.n * task / tasks, end = g.n * (task + 1) / tasks; i < end; ++i) {
      phase_planes(x + i * g.c * hw, g, p, q);
      for (int64_t oy0 = 0; oy0 < g.oh; oy0 += rows) {
        const int64_t oy1 = std::min(g.oh, oy0 + rows);
        // this chunk's gy, (positions, Op)
        transpose(gy + i * g.o * sp + oy0 * g.ow, g.o, (oy1 - oy0) * g.ow, sp, gt, p.op);
        // the next chunk's gy (in this image or the next, with that image's x) comes in while
        // the blocks run
        if (oy1 < g.oh) {
          prefetch_rows(gy + i * g.o * sp + oy1 * g.ow, g.o, std::min(g.oh - oy1, rows) * g.ow, sp);
        } else if (i + 1 < end) {
          prefetch_rows(gy + (i + 1) * g.o * sp, g.o, std::min(g.oh, rows) * g.ow, sp);
          prefetch_rows(x + (i + 1) * g.c * hw, 1, g.c * hw, 0);
        }
        // Outside its window a block's taps read only padding: zeros, whose products it skips
        // unless the chunk's gy holds an infinity or NaN (0·inf is the reference's NaN).
        const bool skip = windowed && all_finite(gt, (oy1 - oy0) * g.ow * p.op);
        for (int64_t k = block_parts[static_cast<size_t>(part)].first; k < block_parts[static_cast<size_t>(part)].second;
             ++k) {
          const Block& b = blocks[static_cast<size_t>(k)];
          const Window win = skip ? Window{std::max(oy0, b.win.oy0), std::min(oy1, b.win.oy1), b.win.ox0, b.win.ox1}
                                  : Window{oy0, oy1, 0, g.ow};
          if (win.oy0 >= win.oy1 || win.ox0 >= win.ox1) continue;
          b.fn(q, p.off.data() + b.t0, gt + 16 * b.v0, p.op, oy0, win, g.ow, p.wq, at + b.t0 * p.op + 16 * b.v0, p.op);
        }
        if (sums) column_sums(gt, (oy1 - oy0) * g.ow, p.op, nvt, bsum.data() + task * p.op);
      }
    }
  });
  // gw (O, taps) = the tasks' accumulators (taps, Op) added up in task order, transposed
  for (int64_t k = 1; k < tasks; ++k) {
    const float* src = acc.data() + k * asize;
    for (int64_t j = 0; j < asize; ++j) acc[static_cast<size_t>(j)] += src[j];
  }
  for (int64_t k = 0; k < g.kh * g.kw; ++k) {  // accumulator row k·C + c is gw's tap c·KH·KW + k
    for (int64_t c = 0; c < g.c; ++c) {
      const float* row = acc.data() + (k * g.c + c) * p.op;
      for (int64_t o = 0; o < g.o; ++o) gw[o * p.taps + c * g.kh * g.kw + k] = row[o];
    }
  }
  if (gb != nullptr) {
    for (int64_t o = 0; o < g.o; ++o) {
      double sum = 0.0;
      for (int64_t k = 0; k < tasks; ++k) sum += bsum[static_cast<size_t>(k * p.op + o)];
      gb[o] = static_cast<float>(sum);
    }
  }
  return true;
#else
  (void)gy;
  (void)x;
  (void)gw;
  (void)gb;
  (void)g;
  return false;
#endif
}

}  // namespace pt
