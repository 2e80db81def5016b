// The direct passes (conv_direct.h): per image, yᵀ (positions, Op) = Σ over the taps t a
// position takes of its source value under t ⊗ row t of wt (taps, Op), Op the output channels
// rounded up to 16 (the extra columns zero), then transposed into the output.
//
// A plan says, for each output position, where it reads its source (pos) and which rows of wt it
// takes; each row has one offset (off) from that position. The forward pass reads x in place at
// stride 1, and its phase planes (conv_phase_planes.h) when strided or when w is not finite; wt
// is w transposed, and a position takes the kernel rows and columns that meet the image there,
// so a 3x3, pad-1 layer on 8x8 skips the 16% of products that multiply padding (with an infinity
// or NaN in w, whose product with the padding's zero is the reference's NaN, every position
// takes every tap, from the planes). The input gradient reads gy in place, wt's row (o, ki, kj)
// being w(o, ·, ki, kj): a position of gx takes the taps whose stride phase matches its own and
// which meet gy (backward_input_taps), so at any stride it adds exactly the reference's products.
// Positions of one tap list go in runs of up to P; the micro-kernel (run_block) holds a run's P
// positions x NV·16 channels of yᵀ in zmm registers and, for each tap of the list, loads NV
// vectors of wt's row and broadcasts the P values the tap reads at the run's positions, NV·P
// fused multiply-adds: a GEMM micro-kernel whose B panel is read in place. Taps go in chunks of
// channels whose rows of wt fill about a quarter of L2; yᵀ of an image stays in L2 between chunks
// where it fits, and is transposed into the output with the bias at the end. Each job takes one
// image (on maps of at most 64 positions a group of images, whose runs mix images), or, with
// fewer jobs than twice the threads, a share of the channel groups too.
#include "conv_direct.h"

#include <algorithm>
#include <array>
#include <map>
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
// than on Winograd). Output rows shorter than 7 stay off it (but for the small strided maps
// below): ResNet-18's stride-2 entries at 32x32 (4x4, 2x2 and 1x1 outputs) ran 1.2-2.6x slower
// here than by the row matrix, one image at a time from the planes.
constexpr int64_t kMinChannels = 16;
constexpr int64_t kMaxPositions = 64;
constexpr int64_t kMinRow = 7;
// Maps of at most this many output positions go in groups of images (run_plan), so that the few
// positions of a border class (the corners of a padded map) fill whole runs: W4 layer1 (8x8, 64
// channels) 2.42 -> 2.33 ms forward and 2.41 -> 2.32 input gradient at one thread.
constexpr int64_t kGroupedMaxPositions = 64;
// Strided layers of that few output positions, from 16 channels in, read x in place (building
// their phase planes took 23% of the time) and take rows from 2: ResNet-18's stride-2 entries at
// 32x32, to 4x4 (64 -> 128 channels, 64 images) 1.37-1.43 / 0.78 -> 1.19-1.23 / 0.69 ms against
// the row matrix, to 2x2 (128 -> 256) 1.20 / 0.80 -> 1.05 / 0.69-0.71 (from the planes in groups:
// 1.59 and 1.55 at one thread). To 1x1 (256 -> 512) it was level at one thread and 0.69 ->
// 0.81-1.32 at two.
constexpr int64_t kMinSmallStridedRow = 2;
// Strided, from 16 channels in, against the column matrix: ResNet-18's stride-2 entries at 224,
// 56 -> 28 (64 -> 128 channels) 10.5 / 5.2 -> 9.5 / 4.8, 28 -> 14 (128 -> 256) 9.9 / 5.5 -> 8.9 / 4.5;
// 64 -> 32 (32 -> 64, 16 images) 8.7 / 4.3 -> 7.2 / 3.4; 112 -> 56 (64 -> 64, 3,136 positions)
// 25.3-26.5 / 13.1-13.3 -> 21.0 / 10.7-10.9.
constexpr int64_t kMaxStridedPositions = 4096;
// Strided input gradients (gx's positions), from and to at least 16 channels, against the wide
// grid and the row matrix (ms, one thread / two): ResNet-18's stride-2 entries at 224, 56x56 gx
// (128 -> 64 channels) 11.7 / 5.8 -> 10.1 / 5.0, 28x28 (256 -> 128) 10.9 / 6.5 -> 8.8 / 4.4; at 32,
// 8x8 gx (128 -> 64) 1.39 -> 1.28; 32x32 gx (64 -> 32, 64 images) 9.7 / 4.9 -> 7.9 / 4.1; 64x64
// gx (128 -> 64, 32 images) 57.4 / 28.8 -> 57.7 / 27.0. To 3 channels (a stem's image
// gradient) it lost 4x: all but 3 of 16 lanes idle.
constexpr int64_t kMaxStridedInputPositions = 4096;
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

bool strided(const ConvGeometry& g) { return g.stride_h > 1 || g.stride_w > 1; }

// The most output positions an image this path takes for g's kind of layer (0: none).
[[maybe_unused]] int64_t max_positions(const ConvGeometry& g) {
  if (g.c >= kMinChannels) return strided(g) ? kMaxStridedPositions : kMaxPositions;
  if (g.c * g.kh * g.kw < kMinFirstLayerTaps) return 0;
  if (!strided(g) && g.kh == 3 && g.kw == 3 && g.c >= kWinogradMinChannels) return 0;
  return strided(g) ? kMaxStridedFirstLayerPositions : kMaxFirstLayerPositions;
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

// What both passes ask of g: ungrouped, undilated, strides up to 4, a kernel larger than 1x1 and
// at most 64 taps high and wide (a position's taps are bit masks), outputs that match the inputs.
bool takes(const ConvGeometry& g) {
#if PT_CONV_DIRECT_AVX512
  return kAvx512 && g.groups == 1 && g.dilation_h == 1 && g.dilation_w == 1 && g.stride_h >= 1 && g.stride_h <= 4 &&
         g.stride_w >= 1 && g.stride_w <= 4 && g.c >= 1 && g.o >= 1 && g.kh * g.kw > 1 && g.kh <= 64 && g.kw <= 64 &&
         g.oh >= 1 && g.ow >= 1 && g.oh == (g.h + 2 * g.pad_h - g.kh) / g.stride_h + 1 &&
         g.ow == (g.w + 2 * g.pad_w - g.kw) / g.stride_w + 1;
#else
  (void)g;
  return false;
#endif
}

// A strided layer of at least 16 channels in with at most kGroupedMaxPositions output positions.
bool small_strided(const ConvGeometry& g) {
  return strided(g) && g.c >= kMinChannels && g.oh * g.ow <= kGroupedMaxPositions;
}

// Whether the forward pass reads x in place (else its phase planes).
[[maybe_unused]] bool reads_in_place(const ConvGeometry& g) { return !strided(g) || small_strided(g); }

bool fits(const ConvGeometry& g) {
  const int64_t min_row = small_strided(g) ? kMinSmallStridedRow : kMinRow;
  return takes(g) && g.ow >= min_row && g.oh * g.ow <= max_positions(g) && g.c * g.kh * g.kw < (int64_t{1} << 31);
}

// The input gradient's output is gx, its source gy's O channels: at stride 1 it is the forward
// pass of the transposed layer (O channels in, stride 1), and takes what that would take.
bool backward_input_fits(const ConvGeometry& g) {
  if (!takes(g) || g.w < kMinRow || g.o * g.kh * g.kw >= (int64_t{1} << 31)) return false;
  if (strided(g)) return g.o >= kMinChannels && g.c >= kMinChannels && g.h * g.w <= kMaxStridedInputPositions;
  ConvGeometry t = g;
  t.c = g.o;
  return g.h * g.w <= max_positions(t);
}

#if PT_CONV_DIRECT_AVX512
// The kernel rows and columns an output position takes, as bit masks (bit ki, bit kj).
using TapMasks = std::pair<uint64_t, uint64_t>;

// One image's reads: output position p reads its source at pos[p] + off[r] for each row r of wt
// it takes, a row being (channel, ki, kj) = (channel·KH + ki)·KW + kj of the source's channels;
// it takes the rows of every channel whose ki and kj are in masks[p].
struct Taps {
  int64_t channels = 0, kh = 0, kw = 0;
  std::vector<int64_t> pos, off;  // per output position; per row of wt
  std::vector<TapMasks> masks;    // per output position
};

// The work of a group of images whose sources lie `stride` floats apart: position image·sp + p
// reads at pos[image·sp + p] = image·stride + taps.pos[p]. The positions of one tap list (a class)
// go in runs of up to P, from any image of the group; the lists are in channel order, and
// bounds[cls][k] is list cls's first entry in chunk k of the channels (k = chunks: its end).
struct Plan {
  struct Run {
    int64_t m0, len;  // members[m0, m0 + len): its positions
    int cls;          // its list
  };
  std::vector<int64_t> pos;
  std::vector<std::vector<int32_t>> lists;
  std::vector<std::vector<int64_t>> bounds;
  std::vector<int64_t> members;
  std::vector<Run> runs;
};

Plan plan_of(const Taps& t, int64_t images, int64_t stride, int64_t pmax, int64_t cchunk) {
  Plan plan;
  const int64_t sp = static_cast<int64_t>(t.pos.size());
  std::map<TapMasks, std::vector<int64_t>> by_class;
  for (int64_t i = 0; i < images; ++i) {
    for (int64_t p = 0; p < sp; ++p) {
      plan.pos.push_back(i * stride + t.pos[static_cast<size_t>(p)]);
      by_class[t.masks[static_cast<size_t>(p)]].push_back(i * sp + p);
    }
  }
  const int64_t kk = t.kh * t.kw, nchunks = (t.channels + cchunk - 1) / cchunk;
  for (const auto& [key, positions] : by_class) {
    std::vector<int32_t> list;
    for (int64_t c = 0; c < t.channels; ++c) {
      for (int64_t ki = 0; ki < t.kh; ++ki) {
        if ((key.first >> ki & 1) == 0) continue;
        for (int64_t kj = 0; kj < t.kw; ++kj) {
          if ((key.second >> kj & 1) != 0) list.push_back(static_cast<int32_t>((c * t.kh + ki) * t.kw + kj));
        }
      }
    }
    const int64_t n = static_cast<int64_t>(positions.size());
    for (const auto& [a, b] : even_split(n, (n + pmax - 1) / pmax)) {
      plan.runs.push_back({static_cast<int64_t>(plan.members.size()), b - a, static_cast<int>(plan.lists.size())});
      plan.members.insert(plan.members.end(), positions.begin() + a, positions.begin() + b);
    }
    std::vector<int64_t> bound;
    for (int64_t k = 0; k <= nchunks; ++k) {
      const int32_t first = static_cast<int32_t>(std::min(t.channels, k * cchunk) * kk);
      bound.push_back(std::lower_bound(list.begin(), list.end(), first) - list.begin());
    }
    plan.bounds.push_back(std::move(bound));
    plan.lists.push_back(std::move(list));
  }
  return plan;
}

// The bits [lo, hi) of a mask.
uint64_t bits(int64_t lo, int64_t hi) {
  uint64_t m = 0;
  for (int64_t k = lo; k < hi; ++k) m |= uint64_t{1} << k;
  return m;
}

// The forward pass of g: position (oy, ox) takes the kernel rows and columns that meet the image
// there (all of them without `skip`). It reads x's phase planes at oy·wq + ox, or with `in_place`
// (which needs `skip`) x itself at s·oy·W + s·ox, each tap at its own offset from there.
Taps forward_taps(const ConvGeometry& g, bool skip, bool in_place) {
  const PhaseGeometry pg = phase_geometry(g);
  Taps t{g.c, g.kh, g.kw, {}, {}, {}};
  for (int64_t c = 0; c < g.c; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t at = c * g.h * g.w + (ki - g.pad_h) * g.w + kj - g.pad_w;  // in x
        t.off.push_back(in_place ? at : tap_offset(g, pg, c, ki, kj));
      }
    }
  }
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      t.pos.push_back(in_place ? g.stride_h * oy * g.w + g.stride_w * ox : oy * pg.wq + ox);
      int64_t ki0 = 0, ki1 = g.kh, kj0 = 0, kj1 = g.kw;  // [ki0, ki1) x [kj0, kj1)
      if (skip) {
        while (ki0 < ki1 && g.stride_h * oy + ki0 - g.pad_h < 0) ++ki0;
        while (ki1 > ki0 && g.stride_h * oy + ki1 - 1 - g.pad_h >= g.h) --ki1;
        while (kj0 < kj1 && g.stride_w * ox + kj0 - g.pad_w < 0) ++kj0;
        while (kj1 > kj0 && g.stride_w * ox + kj1 - 1 - g.pad_w >= g.w) --kj1;
      }
      t.masks.emplace_back(bits(ki0, ki1), bits(kj0, kj1));
    }
  }
  return t;
}

// The input gradient of g read in place from gy (O, OH, OW): gx at (iy, ix) sums gy(o, oy, ox)
// · w(o, ·, ki, kj) over the taps with s·oy + ki − pad = iy (and likewise for columns), those
// whose ki ≡ iy + pad (mod s) and whose oy is in [0, OH). With iy + pad = s·u + r and ki = r + s·m,
// oy = u − m, so the position's base is u·OW + v and the row (o, ki, kj) reads at
// o·OH·OW − (ki / s)·OW − kj / s. Only taps that meet gy are listed, so whatever w holds, the sums
// are the reference's.
Taps backward_input_taps(const ConvGeometry& g) {
  Taps t{g.o, g.kh, g.kw, {}, {}, {}};
  const int64_t sh = g.stride_h, sw = g.stride_w;
  for (int64_t o = 0; o < g.o; ++o) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) t.off.push_back(o * g.oh * g.ow - (ki / sh) * g.ow - kj / sw);
    }
  }
  // The kernel rows (or columns) meeting gy from input row iy: ki ≡ iy + pad (mod s), 0 ≤ oy < OH.
  const auto along = [](int64_t i, int64_t s, int64_t pad, int64_t k, int64_t n) {
    uint64_t m = 0;
    for (int64_t ki = (i + pad) % s; ki < k; ki += s) {
      const int64_t o = (i + pad - ki) / s;
      if (o >= 0 && o < n) m |= uint64_t{1} << ki;
    }
    return m;
  };
  for (int64_t iy = 0; iy < g.h; ++iy) {
    for (int64_t ix = 0; ix < g.w; ++ix) {
      t.pos.push_back(((iy + g.pad_h) / sh) * g.ow + (ix + g.pad_w) / sw);
      t.masks.emplace_back(along(iy, sh, g.pad_h, g.kh, g.oh), along(ix, sw, g.pad_w, g.kw, g.ow));
    }
  }
  return t;
}

// y (n, out, positions) = per image i yᵀ (positions, op) = Σ over each position's rows r of its
// source values ⊗ row r of wt (rows, op), transposed into y with the bias (may be null).
// source(i, count, scratch) gives the sources of images [i, i + count), `stride` floats apart
// (phase planes in the scratch, or x or gy in place).
template <class Source>
void run_plan(const Taps& t, int64_t n, int64_t stride, Source source, const float* wt, int64_t op, int64_t out,
              const float* bias, float* y) {
  // Channel groups of up to 4 vectors of wt's op columns; runs as long as the widest group takes.
  const int64_t nvt = op / 16;
  const auto groups = even_split(nvt, (nvt + 3) / 4);
  int max_nv = 0;
  for (const auto& [v0, v1] : groups) max_nv = std::max(max_nv, static_cast<int>(v1 - v0));
  const int64_t sp = static_cast<int64_t>(t.pos.size()), pmax = kMaxP[max_nv];
  // Chunks of channels whose rows of wᵀ (one group's 64 columns) fill about a quarter of L2.
  const int64_t kk = t.kh * t.kw;
  const int64_t chunk_taps = std::max<int64_t>(kk, cpu_caches().l2 / 4 / (64 * static_cast<int64_t>(sizeof(float))));
  const int64_t cchunk = std::max<int64_t>(1, chunk_taps / kk);
  const int64_t nchunks = (t.channels + cchunk - 1) / cchunk;
  // Groups of images: on small maps up to pmax images a group, but few enough that every thread
  // gets two groups, and a multiple of the threads in groups where there are more groups than
  // threads; one image a group on larger maps.
  const int64_t threads = num_threads();
  const int64_t per = sp <= kGroupedMaxPositions ? std::clamp<int64_t>(n / (2 * threads), 1, pmax) : 1;
  int64_t ngroups = (n + per - 1) / per;
  if (ngroups > threads) ngroups = std::min(n, (ngroups + threads - 1) / threads * threads);
  const auto image_groups = even_split(n, ngroups);
  std::map<int64_t, Plan> plans;  // by images a group: at most two sizes
  for (const auto& [i0, i1] : image_groups) {
    if (plans.count(i1 - i0) == 0) plans.emplace(i1 - i0, plan_of(t, i1 - i0, stride, pmax, cchunk));
  }

  // Each job takes one group of images, or, with fewer groups than twice the threads, one group
  // and a share of the channel groups.
  const int64_t nvg = static_cast<int64_t>(groups.size());
  const int64_t image_jobs = static_cast<int64_t>(image_groups.size());
  const int64_t parts = image_jobs >= 2 * threads ? 1 : std::min<int64_t>(nvg, threads);
  const auto group_parts = even_split(nvg, parts);
  run_tasks(image_jobs * parts, [&](int64_t job) {
    const auto [i0, i1] = image_groups[static_cast<size_t>(job / parts)];
    const int64_t part = job % parts, count = i1 - i0, rows = count * sp;
    const Plan& plan = plans.at(count);
    Scratch& s = scratch();
    const float* q = source(i0, count, s);
    float* yt = grow(s.b, rows * op);
    const auto [gp0, gp1] = group_parts[static_cast<size_t>(part)];
    const int64_t col0 = 16 * groups[static_cast<size_t>(gp0)].first;
    const int64_t col1 = 16 * groups[static_cast<size_t>(gp1 - 1)].second;
    for (int64_t p = 0; p < rows; ++p) std::fill(yt + p * op + col0, yt + p * op + col1, 0.0f);
    for (int64_t gi = gp0; gi < gp1; ++gi) {
      const auto [v0, v1] = groups[static_cast<size_t>(gi)];
      const int nv = static_cast<int>(v1 - v0);
      for (int64_t k = 0; k < nchunks; ++k) {
        for (const Plan::Run& r : plan.runs) {
          const auto& bd = plan.bounds[static_cast<size_t>(r.cls)];
          const int64_t e0 = bd[static_cast<size_t>(k)], e1 = bd[static_cast<size_t>(k + 1)];
          if (e0 == e1) continue;
          run_fn(nv, static_cast<int>(r.len))(q, plan.pos.data(), plan.members.data() + r.m0, t.off.data(),
                                              plan.lists[static_cast<size_t>(r.cls)].data(), e0, e1, wt + 16 * v0, op,
                                              yt + 16 * v0, op);
        }
      }
    }
    // y (out, positions) of these images, this part's channels, with the bias
    const int64_t o0 = col0, o1 = std::min(out, col1);
    for (int64_t i = i0; i < i1; ++i) {
      float* yi = y + i * out * sp;
      transpose(yt + (i - i0) * sp * op + o0, sp, o1 - o0, op, yi + o0 * sp, sp);
      if (bias != nullptr) {
        for (int64_t o = o0; o < o1; ++o) {
          float* row = yi + o * sp;
          for (int64_t p = 0; p < sp; ++p) row[p] += bias[o];
        }
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
  // Stride 1 and small strided maps read x in place, unless w is not finite (each tap then
  // multiplies the padding's zeros too); larger strided maps read the planes, whose rows hold the
  // values a tap reads along an output row side by side (in place, W6's stride-2 entry ran 6-10%
  // slower).
  const bool skip = all_finite(w, g.o * taps), in_place = skip && reads_in_place(g);
  const Taps t = forward_taps(g, skip, in_place);
  const PhaseGeometry pg = phase_geometry(g);
  const int64_t planes_floats = g.c * pg.sh * pg.sw * pg.plane, image_floats = g.c * g.h * g.w;
  const auto planes = [&](int64_t i, int64_t count, Scratch& s) -> const float* {
    float* q = grow(s.a, count * planes_floats);
    for (int64_t k = 0; k < count; ++k) phase_planes(x + (i + k) * image_floats, g, pg, q + k * planes_floats);
    return q;
  };
  const auto image = [&](int64_t i, int64_t, Scratch&) { return x + i * image_floats; };
  if (in_place) {
    run_plan(t, g.n, image_floats, image, wt.data(), op, g.o, bias, y);
  } else {
    run_plan(t, g.n, planes_floats, planes, wt.data(), op, g.o, bias, y);
  }
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
  if (!backward_input_fits(g)) return false;
  const int64_t kk = g.kh * g.kw, op = (g.c + 15) / 16 * 16;
  // wt row (o, ki, kj) = w(o, ·, ki, kj): per o, its (C, KH·KW) block transposed
  PooledFloats wt(g.o * kk * op, op != g.c);
  for (int64_t o = 0; o < g.o; ++o) transpose(w + o * g.c * kk, g.c, kk, kk, wt.data() + o * kk * op, op);
  const int64_t image_floats = g.o * g.oh * g.ow;
  const auto in_place = [&](int64_t i, int64_t, Scratch&) { return gy + i * image_floats; };
  run_plan(backward_input_taps(g), g.n, image_floats, in_place, wt.data(), op, g.c, nullptr, gx);
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
