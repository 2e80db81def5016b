// The direct forward pass (conv_direct.h): per image, yᵀ (positions, O) = Σ over taps t of
// x(t at each position) ⊗ wᵀ(t, :), the taps in w's own order (c, ki, kj), so that wᵀ (T, Op) is
// w transposed (Op = O rounded up to 16, the extra columns zero).
//
// x is laid out as phase planes (conv_phase_planes.h). Each output position has a tap list: the
// kernel rows and columns that meet the image there, so a 3x3, pad-1 layer on 8x8 skips the 16%
// of products that multiply padding (with an infinity or NaN in w, whose product with the
// padding's zero is the reference's NaN, every position takes every tap). The positions of one
// list go in runs of up to P; the micro-kernel (run_block) holds a run's P positions x NV·16
// channels of yᵀ in zmm registers and, for each tap of the list, loads NV vectors of wᵀ's row and
// broadcasts the P values of x the tap reads at the run's positions, NV·P fused multiply-adds: a
// GEMM micro-kernel whose B panel is read in place from the planes. Taps go in chunks of channels
// whose rows of wᵀ fill about a quarter of L2; yᵀ of an image (at most 64 positions) stays in L1 or
// L2 between chunks, and is transposed into y with the bias at the end. Each job takes one image,
// or, with fewer images than twice the threads, one image and a share of the channel groups.
#include "conv_direct.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "conv_phase_planes.h"
#include "conv_transpose.h"
#include "conv_util.h"
#include "conv_winograd.h"
#include "cpu_caches.h"
#include "storage_pool.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PT_CONV_DIRECT_AVX512 1
#endif

namespace pt {
namespace {

using namespace conv_util;

// Where the path was measured and won (forward ms, one thread / two, against the path before).
// Stride 1, from 16 channels in: maps of 7x7 and 8x8 (ResNet-18's last stage at 224 and first at
// 32); smaller maps stay on the row-matrix path by classes (conv_rows.cpp), larger ones on
// Winograd or the wide grid (the bench CNN's 14x14 layer, 32 -> 64 channels, ran 5-8% slower here
// than on Winograd). Output rows shorter than 7 stay off it at any stride: ResNet-18's stride-2
// entries at 32x32 (4x4, 2x2 and 1x1 outputs) ran 1.2-2.6x slower here than by the row matrix.
constexpr int64_t kMinChannels = 16;
constexpr int64_t kMaxPositions = 64;
constexpr int64_t kMinRow = 7;
// Strided, from 16 channels in, against the column matrix: ResNet-18's stride-2 entries at 224,
// 56 -> 28 (64 -> 128 channels) 10.5 / 5.2 -> 9.5 / 4.8, 28 -> 14 (128 -> 256) 9.9 / 5.5 -> 8.9 / 4.5;
// 64 -> 32 (32 -> 64, 16 images) 8.7 / 4.3 -> 7.2 / 3.4; 112 -> 56 (64 -> 64, 3,136 positions)
// 25.3-26.5 / 13.1-13.3 -> 21.0 / 10.7-10.9.
constexpr int64_t kMaxStridedPositions = 4096;
// First layers, of fewer channels in, with at least 48 taps a filter (C·KH·KW): their column
// matrix is gathered a float at a time, and this kernel reads the planes in place. Strided:
// ResNet-18's 7x7/2 stem at 32x32 (3 -> 64, 147 taps, 16x16 out) 4.1 / 1.9 -> 3.0-3.3 / 1.5, at 64x64
// 18.3 / 8.8 -> 14.1 / 7.0-7.3, at 224x224 (112x112 out, batch 8) 27.0-27.8 / 13.9 -> 24.0-24.7 /
// 12.3-12.6; 3 -> 32, 5x5/2 1.35 -> 1.06; 1 -> 32, 7x7/2 0.97 -> 0.73. Stride 1 (16x16 out): 4 -> 32,
// 5x5 1.55 -> 1.26; 8 -> 32, 3x3 0.80 -> 0.52; 2 -> 32, 5x5 0.82 -> 0.74; 6 -> 32, 3x3 (54 taps)
// 0.82 either way; on larger maps mixed (3 -> 32, 5x5 on 64x64: 9.0-9.3 -> 9.8), so 16x16 at most.
// Fewer taps lose: 1 -> 32, 3x3 0.42 -> 0.64; 1 -> 32, 5x5 0.46 -> 0.50; 3 -> 16, 3x3 0.14 -> 0.18.
// 3x3 stride-1 layers of 8 to 15 channels are left to the paths before (Winograd from 8 channels,
// the row and column matrices on small maps), which the conformance suite's cases of those paths
// use, though the 8 -> 32 layer above ran faster here.
constexpr int64_t kMinFirstLayerTaps = 48;
constexpr int64_t kMaxFirstLayerPositions = 256;
constexpr int64_t kMaxStridedFirstLayerPositions = 16384;

// The most output positions an image this path takes for g's kind of layer (0: none).
[[maybe_unused]] int64_t max_positions(const ConvGeometry& g) {
  const bool strided = g.stride_h > 1 || g.stride_w > 1;
  if (g.c >= kMinChannels) return strided ? kMaxStridedPositions : kMaxPositions;
  if (g.c * g.kh * g.kw < kMinFirstLayerTaps) return 0;
  if (!strided && g.kh == 3 && g.kw == 3 && g.c >= kWinogradMinChannels) return 0;
  return strided ? kMaxStridedFirstLayerPositions : kMaxFirstLayerPositions;
}

// The longest run of positions for NV vectors of channels: NV·P accumulators plus NV vectors of
// wᵀ and a broadcast stay within the 32 zmm registers.
constexpr int kMaxP[5] = {0, 16, 12, 8, 6};

#if PT_CONV_DIRECT_AVX512
const bool kAvx512 = __builtin_cpu_supports("avx512f");

// For the run's positions p = run[j], j < P: row p of acc (stride acc_ld, NV·16 floats) += Σ
// over the taps t = list[i], i in [i0, i1), of x(t at p) · wt(t, 16·NV channels): tap t reads
// q[off[t] + pos[p]], its row of wt starts at wt + t·ld.
template <int NV, int P>
__attribute__((target("avx512f"))) void run_block(const float* q, const int64_t* pos, const int64_t* run,
                                                  const int64_t* off, const int32_t* list, int64_t i0, int64_t i1,
                                                  const float* wt, int64_t ld, float* acc, int64_t acc_ld) {
  __m512 a[P][NV];
  const float* qp[P];
#pragma GCC unroll 16
  for (int j = 0; j < P; ++j) {
    qp[j] = q + pos[run[j]];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) a[j][v] = _mm512_loadu_ps(acc + run[j] * acc_ld + 16 * v);
  }
  for (int64_t i = i0; i < i1; ++i) {
    const int64_t t = list[i];
    const int64_t o = off[t];
    const float* wr = wt + t * ld;
    __m512 wv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) wv[v] = _mm512_loadu_ps(wr + 16 * v);
#pragma GCC unroll 16
    for (int j = 0; j < P; ++j) {
      const __m512 b = _mm512_set1_ps(qp[j][o]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) a[j][v] = _mm512_fmadd_ps(b, wv[v], a[j][v]);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < P; ++j) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(acc + run[j] * acc_ld + 16 * v, a[j][v]);
  }
}

using RunFn = void (*)(const float*, const int64_t*, const int64_t*, const int64_t*, const int32_t*, int64_t, int64_t,
                       const float*, int64_t, float*, int64_t);

template <int NV, size_t... I>
constexpr std::array<RunFn, sizeof...(I)> runs_of(std::index_sequence<I...>) {
  return {&run_block<NV, static_cast<int>(I) + 1>...};
}

const std::array<RunFn, 16> kRuns1 = runs_of<1>(std::make_index_sequence<16>());
const std::array<RunFn, 12> kRuns2 = runs_of<2>(std::make_index_sequence<12>());
const std::array<RunFn, 8> kRuns3 = runs_of<3>(std::make_index_sequence<8>());
const std::array<RunFn, 6> kRuns4 = runs_of<4>(std::make_index_sequence<6>());

RunFn run_fn(int nv, int p) {
  switch (nv) {
    case 1:
      return kRuns1[static_cast<size_t>(p - 1)];
    case 2:
      return kRuns2[static_cast<size_t>(p - 1)];
    case 3:
      return kRuns3[static_cast<size_t>(p - 1)];
    default:
      return kRuns4[static_cast<size_t>(p - 1)];
  }
}
#endif

bool fits(const ConvGeometry& g) {
#if PT_CONV_DIRECT_AVX512
  return kAvx512 && g.groups == 1 && g.dilation_h == 1 && g.dilation_w == 1 && g.stride_h >= 1 && g.stride_h <= 4 &&
         g.stride_w >= 1 && g.stride_w <= 4 && g.c >= 1 && g.kh * g.kw > 1 && g.oh >= 1 && g.ow >= kMinRow &&
         g.oh * g.ow <= max_positions(g) && g.o >= 1 && g.c * g.kh * g.kw < (int64_t{1} << 31) &&
         g.oh == (g.h + 2 * g.pad_h - g.kh) / g.stride_h + 1 && g.ow == (g.w + 2 * g.pad_w - g.kw) / g.stride_w + 1;
#else
  (void)g;
  return false;
#endif
}

#if PT_CONV_DIRECT_AVX512
// y = the convolution g of x with the weights wt (taps, op): per image yᵀ (positions, op) = Σ
// over taps of x(tap) ⊗ its row of wt, then transposed into y (O, positions) with the bias (may
// be null). skip: leave out the taps that read only padding at a run's positions.
void run_direct(const float* x, const float* wt, int64_t op, bool flip, bool skip, const float* bias, float* y,
                const ConvGeometry& g) {
  const PhaseGeometry pg = phase_geometry(g);
  const int64_t kk = g.kh * g.kw, taps = g.c * kk, sp = g.oh * g.ow;
  // Row r = (c, a, b) of wt is tap (c, a, b), or with `flip` tap (c, KH−1−a, KW−1−b).
  const auto row_of = [&](int64_t c, int64_t ki, int64_t kj) {
    return flip ? (c * g.kh + g.kh - 1 - ki) * g.kw + g.kw - 1 - kj : (c * g.kh + ki) * g.kw + kj;
  };
  std::vector<int64_t> off(static_cast<size_t>(taps));  // by row of wt
  for (int64_t c = 0; c < g.c; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) off[static_cast<size_t>(row_of(c, ki, kj))] = tap_offset(g, pg, c, ki, kj);
    }
  }

  // Channel groups of up to 4 vectors.
  const int64_t nvt = op / 16;
  const auto groups = even_split(nvt, (nvt + 3) / 4);
  int max_nv = 0;
  for (const auto& [v0, v1] : groups) max_nv = std::max(max_nv, static_cast<int>(v1 - v0));
  // Each output position's tap list: the kernel rows and columns that meet the image there
  // (every tap without `skip`). Positions of one list go in runs of up to P.
  struct Run {
    int64_t m0, len;  // members[m0, m0 + len): its positions (oy·OW + ox)
    int cls;          // its tap list
  };
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, std::vector<int64_t>> by_class;
  std::vector<int64_t> pos;  // per position: its offset in the planes
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      pos.push_back(oy * pg.wq + ox);
      int64_t ki0 = 0, ki1 = g.kh, kj0 = 0, kj1 = g.kw;  // [ki0, ki1) x [kj0, kj1)
      if (skip) {
        while (ki0 < ki1 && g.stride_h * oy + ki0 - g.pad_h < 0) ++ki0;
        while (ki1 > ki0 && g.stride_h * oy + ki1 - 1 - g.pad_h >= g.h) --ki1;
        while (kj0 < kj1 && g.stride_w * ox + kj0 - g.pad_w < 0) ++kj0;
        while (kj1 > kj0 && g.stride_w * ox + kj1 - 1 - g.pad_w >= g.w) --kj1;
      }
      by_class[std::make_tuple(ki0, ki1, kj0, kj1)].push_back(oy * g.ow + ox);
    }
  }
  // Runs cut for the widest group (kMaxP falls with NV, so narrower groups take them too).
  const int64_t pmax = kMaxP[max_nv];
  std::vector<std::vector<int32_t>> lists;
  std::vector<int64_t> members;
  std::vector<Run> runs;
  for (const auto& [key, positions] : by_class) {
    const auto [ki0, ki1, kj0, kj1] = key;
    std::vector<int32_t> list;
    for (int64_t c = 0; c < g.c; ++c) {
      for (int64_t ki = ki0; ki < ki1; ++ki) {
        for (int64_t kj = kj0; kj < kj1; ++kj) list.push_back(static_cast<int32_t>(row_of(c, ki, kj)));
      }
    }
    const int64_t n = static_cast<int64_t>(positions.size());
    for (const auto& [a, b] : even_split(n, (n + pmax - 1) / pmax)) {
      runs.push_back({static_cast<int64_t>(members.size()), b - a, static_cast<int>(lists.size())});
      members.insert(members.end(), positions.begin() + a, positions.begin() + b);
    }
    lists.push_back(std::move(list));
  }
  // Chunks of channels whose rows of wᵀ (one group's 64 columns) fill about a quarter of L2; a
  // list's entries of a chunk are a contiguous range (the lists go in channel order).
  const int64_t chunk_taps = std::max<int64_t>(kk, cpu_caches().l2 / 4 / (64 * static_cast<int64_t>(sizeof(float))));
  const int64_t cchunk = std::max<int64_t>(1, chunk_taps / kk);
  const int64_t nchunks = (g.c + cchunk - 1) / cchunk;
  // bounds[cls][k]: the first entry of list cls in chunk k (k = nchunks: its end); a list is in
  // channel order, each channel's rows within [c·KH·KW, (c+1)·KH·KW)
  std::vector<std::vector<int64_t>> bounds(lists.size());
  for (size_t l = 0; l < lists.size(); ++l) {
    for (int64_t k = 0; k <= nchunks; ++k) {
      const int32_t first = static_cast<int32_t>(std::min(g.c, k * cchunk) * kk);
      bounds[l].push_back(std::lower_bound(lists[l].begin(), lists[l].end(), first) - lists[l].begin());
    }
  }

  const int64_t parts = g.n >= 2 * num_threads() ? 1 : std::min<int64_t>(static_cast<int64_t>(groups.size()), num_threads());
  const auto group_parts = even_split(static_cast<int64_t>(groups.size()), parts);
  const int64_t hw = g.h * g.w;
  run_tasks(g.n * parts, [&](int64_t job) {
    const int64_t i = job / parts, part = job % parts;
    Scratch& s = scratch();
    float* q = grow(s.a, g.c * pg.sh * pg.sw * pg.plane);
    float* yt = grow(s.b, sp * op);
    phase_planes(x + i * g.c * hw, g, pg, q);
    const auto [gp0, gp1] = group_parts[static_cast<size_t>(part)];
    const int64_t col0 = 16 * groups[static_cast<size_t>(gp0)].first, col1 = 16 * groups[static_cast<size_t>(gp1 - 1)].second;
    for (int64_t p = 0; p < sp; ++p) std::fill(yt + p * op + col0, yt + p * op + col1, 0.0f);
    for (int64_t gi = gp0; gi < gp1; ++gi) {
      const auto [v0, v1] = groups[static_cast<size_t>(gi)];
      const int nv = static_cast<int>(v1 - v0);
      for (int64_t k = 0; k < nchunks; ++k) {
        for (const Run& r : runs) {
          const auto& bd = bounds[static_cast<size_t>(r.cls)];
          const int64_t i0 = bd[static_cast<size_t>(k)], i1 = bd[static_cast<size_t>(k + 1)];
          if (i0 == i1) continue;
          run_fn(nv, static_cast<int>(r.len))(q, pos.data(), members.data() + r.m0, off.data(),
                                              lists[static_cast<size_t>(r.cls)].data(), i0, i1, wt + 16 * v0, op,
                                              yt + 16 * v0, op);
        }
      }
    }
    // y (O, positions) of this image, this part's channels, with the bias
    const int64_t o0 = col0, o1 = std::min(g.o, col1);
    float* yi = y + i * g.o * sp;
    transpose(yt + o0, sp, o1 - o0, op, yi + o0 * sp, sp);
    if (bias != nullptr) {
      for (int64_t o = o0; o < o1; ++o) {
        float* row = yi + o * sp;
        for (int64_t p = 0; p < sp; ++p) row[p] += bias[o];
      }
    }
  });
}

#endif

}  // namespace

bool conv_direct_applies(const ConvGeometry& g) { return fits(g); }

bool conv2d_direct(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
#if PT_CONV_DIRECT_AVX512
  if (!fits(g)) return false;
  const int64_t taps = g.c * g.kh * g.kw, op = (g.o + 15) / 16 * 16;
  PooledFloats wt(taps * op, op != g.o);  // wᵀ (taps, Op)
  transpose(w, g.o, taps, taps, wt.data(), op);
  run_direct(x, wt.data(), op, false, all_finite(w, g.o * taps), bias, y, g);
  return true;
#else
  (void)x;
  (void)w;
  (void)bias;
  (void)y;
  (void)g;
  return false;
#endif
}

bool conv2d_backward_input_direct(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
#if PT_CONV_DIRECT_AVX512
  // At stride 1, gx is the convolution of gy, padded by K−1−pad, with the kernel flipped and its
  // channels swapped: tap (o, ki, kj) of the transposed layer carries w(o, ·, KH−1−ki, KW−1−kj).
  if (g.groups != 1 || g.stride_h != 1 || g.stride_w != 1 || g.dilation_h != 1 || g.dilation_w != 1 ||
      g.pad_h > g.kh - 1 || g.pad_w > g.kw - 1) {
    return false;
  }
  const ConvGeometry t{g.n, g.o, g.oh, g.ow, g.c, g.kh, g.kw, g.h, g.w, 1, 1, g.kh - 1 - g.pad_h, g.kw - 1 - g.pad_w,
                       1, 1, 1};
  if (!fits(t)) return false;
  const int64_t kk = g.kh * g.kw, op = (g.c + 15) / 16 * 16;
  // wt row (o, a, b) = w(o, ·, a, b): per o, its (C, KH·KW) block transposed; run_direct's flip
  // pairs row (o, a, b) with tap (o, KH−1−a, KW−1−b)
  PooledFloats wt(g.o * kk * op, op != g.c);
  for (int64_t o = 0; o < g.o; ++o) transpose(w + o * g.c * kk, g.c, kk, kk, wt.data() + o * kk * op, op);
  // Skipping the taps that read the transposed layer's padding leaves exactly the reference's
  // products of gy with w, so an infinity or NaN in w gives the reference's values too.
  run_direct(gy, wt.data(), op, true, true, nullptr, gx, t);
  return true;
#else
  (void)gy;
  (void)w;
  (void)gx;
  (void)g;
  return false;
#endif
}

}  // namespace pt
