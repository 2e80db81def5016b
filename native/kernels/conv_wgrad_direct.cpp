// The direct weight gradient (conv_wgrad_direct.h): gwᵀ (T taps, O) = Σ over images and output
// positions p of xcol(p) ⊗ gy(p), where xcol(p) holds the T input values the taps read at p.
//
// gy is transposed to (positions, Op), Op = O rounded up to 16 (the extra columns zero), a chunk
// of output rows at a time, in one pass that also sums the bias gradient and checks the chunk for
// infinities and NaNs.
//
// The micro-kernel (outer_block) holds a block of TB taps x NV·16 channels of gwᵀ in zmm
// registers and, for each output position, loads NV vectors of gy and broadcasts TB x values,
// NV·TB fused multiply-adds: a GEMM micro-kernel whose A panel is read in place, so the column
// matrix im2col would copy (T rows of every position) never exists. Every block of taps and
// channels runs over a chunk before the next one is touched. Each task sums a share of the images
// into its own accumulator, (T, Op) floats; the tasks' accumulators are added up in task order at
// the end.
//
// A block skips the output positions where all its taps read padding (ResNet's 7x7, pad-3 stem
// on a 16x16 output: 10% of the products; a 3x3, pad-1 layer on 8x8: 16%). Its taps are grouped
// so that they share one window (the positions where they read pixels) wherever the block size
// allows; such a block reads x itself inside the window (column strides 1 and 2). A block whose
// taps' windows differ, and every block of a chunk whose gy holds an infinity or NaN (whose
// product with the padding's zero is the reference's NaN), reads the image's phase planes
// (conv_phase_planes.h), zero where the padding is, over its bounding box or the whole chunk. So
// non-finite values come out as the reference's, and only the order of the sums differs.
#include "conv_wgrad_direct.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "conv_phase_planes.h"
#include "conv_util.h"
#include "conv_winograd.h"
#include "storage_pool.h"
#include "transpose16_avx512.h"

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
// Layers Winograd's weight gradient does not take (strided, or kernels other than 3x3) or takes
// slowly (fewer than 64 channels in, where its gradient transform, 16 floats a tile and output
// channel, costs more than its GEMMs of C columns) run here up to four times that (ms, one thread
// / two, against the wide, rows and Winograd paths): 32 -> 256 channels on 32x32 (16 images,
// 73,728 floats) 65-67 / 32-34 -> 22.5-22.9 / 11.5-12.0, 32 -> 256 on 16x16 16.8 / 8.6-9.5 ->
// 5.7 / 2.8-3.0, 32 -> 512 on 32x32 (147,456 floats) 119-138 / 69-72 -> 46-47 / 24-25; ResNet-18's
// stride-2 entry at 224, 64 -> 128 channels to 28x28 (73,728 floats), 10.1-10.4 / 5.1-5.2 ->
// 8.5-8.7 / 4.7-4.8; at 32, 64 -> 128 to 8x8 (64 images) 7.0 / 3.3-3.7 -> 5.7-6.3 / 2.9-3.2;
// 64 -> 64 channels 5x5 on 32x32 (102,400 floats) 42.7 / 23-25 -> 28.5 / 14.7. Level beyond:
// 128 -> 256 to 28x28 (294,912 floats) 9.4-9.8 either way, 256 -> 512 to 14x14 9.4 -> 9.4-9.8.
// 3x3 stride-1 layers from 64 channels stay on Winograd above the first limit: 64 -> 128 on
// 28x28 7.2-7.5 there against 8.4-8.7 here, 96 -> 96 7.1-7.3 against 9.1-9.6, 128 -> 128
// 12.1-12.4 against 16.3-16.8 (48 -> 384 on 28x28: 20-22 there, 19.7 here).
constexpr int64_t kDirectMaxAccFloatsBesideWinograd = 256 * 1024;
constexpr int64_t kWinogradWeightMinChannels = 64;

// The largest block of taps for NV vectors of channels: NV·TB accumulators plus NV gy vectors
// and a broadcast stay within the 32 zmm registers.
constexpr int kMaxTb[5] = {0, 16, 12, 8, 6};

// Output positions a chunk of output rows holds (at least one row): its transposed gy, up to
// 64 KiB at 64 channels, streams from L2 while the blocks run; fewer, longer block calls than
// chunks that fit in L1 (96 positions: W4's 7x7 stem 2.74 -> 2.60-2.71 ms, W6's 3x3 layer1
// 17.7-17.9 -> 16.7 at one thread on the Zen 4; 512 and 1024 no faster).
constexpr int64_t kChunkPositions = 256;

// The output positions a block of taps runs over: rows [oy0, oy1) x columns [ox0, ox1).
struct Window {
  int64_t oy0, oy1, ox0, ox1;
};

#if PT_WGRAD_DIRECT_AVX512
const bool kAvx512 = __builtin_cpu_supports("avx512f");

// acc (TB rows of stride acc_ld, NV·16 floats each) += Σ over output rows [oy0, oy1) and columns
// [ox0, ox1) of x(tap t at that position) · gt(position, 16·NV channels). Tap t reads
// src[off[t] + oy·row + ox·SW] (the phase planes: SW = 1, row = wq; the image itself: SW and
// row the strides); gt: the transposed gy of the chunk's rows from row r0 on, ow positions a row
// and ld floats a position.
template <int NV, int TB, int SW>
__attribute__((target("avx512f"))) void outer_block(const float* src, const int64_t* off, int64_t row, const float* gt,
                                                    int64_t ld, int64_t r0, const Window& win, int64_t ow, float* acc,
                                                    int64_t acc_ld) {
  __m512 a[TB][NV];
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) a[t][v] = _mm512_loadu_ps(acc + t * acc_ld + 16 * v);
  }
  const int64_t cols = win.ox1 - win.ox0;
  for (int64_t oy = win.oy0; oy < win.oy1; ++oy) {
    const float* g = gt + ((oy - r0) * ow + win.ox0) * ld;
    const float* p[TB];
#pragma GCC unroll 16
    for (int t = 0; t < TB; ++t) p[t] = src + (off[t] + oy * row + win.ox0 * SW);
    for (int64_t k = 0; k < cols; ++k, g += ld) {
      __m512 gv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) gv[v] = _mm512_loadu_ps(g + 16 * v);
#pragma GCC unroll 16
      for (int t = 0; t < TB; ++t) {
        const __m512 b = _mm512_set1_ps(p[t][k * SW]);
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

// Lanes k in [0, 16) below n.
__attribute__((target("avx512f"))) inline __mmask16 first_lanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << std::max<int64_t>(n, 0)) - 1u);
}

// gt (cols positions, Op) = a chunk of gy (O rows, sp floats apart, cols positions from src on)
// transposed, the columns from O to Op zero, in 16 x 16 tiles (transpose16_avx512.h), each
// tile also checked for infinities and NaNs and its columns summed: sums[o] += the chunk's float
// sum of gt[.][o] (the bias gradient, when sums is not null). Returns whether the chunk is finite.
// One pass over gy, where a transpose, a finiteness check and the sums over gt took three.
__attribute__((target("avx512f"))) bool transpose_chunk(const float* src, int64_t o, int64_t cols, int64_t sp,
                                                        float* gt, int64_t op, double* sums) {
  const __m512i exponent = _mm512_set1_epi32(0x7f800000);
  __mmask16 bad = 0;
  for (int64_t c0 = 0; c0 < op; c0 += 16) {
    const int64_t rows = std::min<int64_t>(16, o - c0);
    __m512 colsum = _mm512_setzero_ps();
    for (int64_t p0 = 0; p0 < cols; p0 += 16) {
      const __mmask16 m = first_lanes(cols - p0);
      __m512 a[16];
      for (int i = 0; i < 16; ++i) {
        a[i] = i < rows ? _mm512_maskz_loadu_ps(m, src + (c0 + i) * sp + p0) : _mm512_setzero_ps();
        const __m512i e = _mm512_and_si512(_mm512_castps_si512(a[i]), exponent);
        bad |= _mm512_cmpeq_epi32_mask(e, exponent);
      }
      transpose16(a);  // a[j]: position p0 + j's 16 channels
      const int64_t n = std::min<int64_t>(16, cols - p0);
      for (int j = 0; j < n; ++j) {
        _mm512_storeu_ps(gt + (p0 + j) * op + c0, a[j]);
        colsum = _mm512_add_ps(colsum, a[j]);
      }
    }
    if (sums != nullptr) {
      double* d = sums + c0;
      _mm512_storeu_pd(d, _mm512_add_pd(_mm512_loadu_pd(d), _mm512_cvtps_pd(_mm512_castps512_ps256(colsum))));
      _mm512_storeu_pd(d + 8, _mm512_add_pd(_mm512_loadu_pd(d + 8),
                                            _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(colsum), 1)))));
    }
  }
  return bad == 0;
}

// Prefetches rows [0, rows) (stride ld) of len floats each into the caches.
void prefetch_rows(const float* m, int64_t rows, int64_t len, int64_t ld) {
  for (int64_t r = 0; r < rows; ++r) {
    const char* row = reinterpret_cast<const char*>(m + r * ld);
    for (int64_t b = 0; b < len * 4; b += 64) _mm_prefetch(row + b, _MM_HINT_T1);
    _mm_prefetch(row + len * 4 - 1, _MM_HINT_T1);
  }
}

using BlockFn = void (*)(const float*, const int64_t*, int64_t, const float*, int64_t, int64_t, const Window&, int64_t,
                         float*, int64_t);

template <int NV, int SW, size_t... I>
constexpr std::array<BlockFn, sizeof...(I)> blocks_of(std::index_sequence<I...>) {
  return {&outer_block<NV, static_cast<int>(I) + 1, SW>...};
}

// kBlocks<SW>[NV − 1][TB − 1], TB up to kMaxTb[NV].
template <int SW>
struct Blocks {
  static constexpr std::array<BlockFn, 16> nv1 = blocks_of<1, SW>(std::make_index_sequence<16>());
  static constexpr std::array<BlockFn, 12> nv2 = blocks_of<2, SW>(std::make_index_sequence<12>());
  static constexpr std::array<BlockFn, 8> nv3 = blocks_of<3, SW>(std::make_index_sequence<8>());
  static constexpr std::array<BlockFn, 6> nv4 = blocks_of<4, SW>(std::make_index_sequence<6>());

  static BlockFn fn(int nv, int tb) {
    const size_t i = static_cast<size_t>(tb - 1);
    return nv == 1 ? nv1[i] : nv == 2 ? nv2[i] : nv == 3 ? nv3[i] : nv4[i];
  }
};

// The micro-kernel for NV vectors and TB taps reading with column stride sw (1 or 2).
BlockFn block_fn(int nv, int tb, int64_t sw) { return sw == 1 ? Blocks<1>::fn(nv, tb) : Blocks<2>::fn(nv, tb); }
#endif

// The output positions where kernel offset k (ki·KW + kj) reads pixels rather than padding.
Window window_of(const ConvGeometry& g, int64_t k) {
  const auto [oy0, oy1] = reach(g.oh, g.stride_h, g.pad_h, g.h, k / g.kw, k / g.kw);
  const auto [ox0, ox1] = reach(g.ow, g.stride_w, g.pad_w, g.w, k % g.kw, k % g.kw);
  return {oy0, oy1, ox0, ox1};
}

bool operator<(const Window& a, const Window& b) {
  return std::tie(a.oy0, a.oy1, a.ox0, a.ox1) < std::tie(b.oy0, b.oy1, b.ox0, b.ox1);
}

// Groups of kernel offsets that share a block of taps: each offset alone when a block holds no
// more than one offset's C channels; else `per` offsets a group, those that share a window first
// (ResNet's 7x7/2 stem on a 16x16 output: offsets 1 and 2 of a row reach the same columns, 3 and 4,
// 5 and 6), so that a block skips exactly the positions where all its taps read padding, and what
// each window leaves over after them, `per` at a time, in window order.
std::vector<std::vector<int64_t>> offset_groups(const ConvGeometry& g, int64_t per) {
  const int64_t offsets = g.kh * g.kw;
  std::vector<std::vector<int64_t>> groups;
  if (per <= 1) {
    for (int64_t k = 0; k < offsets; ++k) groups.push_back({k});
    return groups;
  }
  std::vector<int64_t> order(static_cast<size_t>(offsets));
  for (int64_t k = 0; k < offsets; ++k) order[static_cast<size_t>(k)] = k;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return window_of(g, a) < window_of(g, b); });
  std::vector<int64_t> rest;
  for (size_t s0 = 0; s0 < order.size();) {
    size_t s1 = s0 + 1;
    while (s1 < order.size() && !(window_of(g, order[s0]) < window_of(g, order[s1]))) ++s1;
    size_t s = s0;
    for (; s + static_cast<size_t>(per) <= s1; s += static_cast<size_t>(per)) {
      groups.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(s),
                          order.begin() + static_cast<std::ptrdiff_t>(s + static_cast<size_t>(per)));
    }
    rest.insert(rest.end(), order.begin() + static_cast<std::ptrdiff_t>(s), order.begin() + static_cast<std::ptrdiff_t>(s1));
    s0 = s1;
  }
  const int64_t n = static_cast<int64_t>(rest.size());
  for (const auto& [r0, r1] : even_split(n, (n + per - 1) / per)) {
    groups.emplace_back(rest.begin() + r0, rest.begin() + r1);
  }
  return groups;
}

// Kernel offsets in slots [s0, s1) of the plan, and the output positions where their taps read
// pixels: the bounding box of their windows.
struct SlotGroup {
  int64_t s0, s1;
  Window box;
  bool exact;  // every offset's window is the box: inside it no tap reads padding
};

// Taps go in (slot, c) order, a group's offsets in neighbouring slots.
struct Plan : PhaseGeometry {
  int64_t taps, op;               // C·KH·KW; O rounded up to 16
  std::vector<int64_t> slot;      // kernel offset k's taps are slot[k]·C + c
  std::vector<int64_t> off;       // tap t's first float in the phase planes
  std::vector<int64_t> direct;    // tap t's pixel in the image at output (0, 0) (negative in the padding)
  std::vector<SlotGroup> groups;  // offsets that share blocks of taps, at most tb taps a group
};

Plan plan_of(const ConvGeometry& g, int64_t tb) {
  Plan p{};
  static_cast<PhaseGeometry&>(p) = phase_geometry(g);
  p.taps = g.c * g.kh * g.kw;
  p.op = (g.o + 15) / 16 * 16;
  p.slot.resize(static_cast<size_t>(g.kh * g.kw));
  int64_t next = 0;
  for (const std::vector<int64_t>& group : offset_groups(g, tb / g.c)) {
    SlotGroup sg{next, next, Window{g.oh, 0, g.ow, 0}, true};
    const Window first = window_of(g, group.front());
    for (const int64_t k : group) {
      const int64_t ki = k / g.kw, kj = k % g.kw;
      p.slot[static_cast<size_t>(k)] = next++;
      for (int64_t c = 0; c < g.c; ++c) {
        p.off.push_back(tap_offset(g, p, c, ki, kj));
        p.direct.push_back((c * g.h + ki - g.pad_h) * g.w + kj - g.pad_w);
      }
      const Window w = window_of(g, k);
      sg.exact = sg.exact && !(w < first) && !(first < w);
      Window& box = sg.box;
      if (w.oy0 < w.oy1 && w.ox0 < w.ox1) {
        box = {std::min(box.oy0, w.oy0), std::max(box.oy1, w.oy1), std::min(box.ox0, w.ox0), std::max(box.ox1, w.ox1)};
      }
    }
    sg.s1 = next;
    if (sg.box.oy0 >= sg.box.oy1) sg.box = {0, 0, 0, 0};  // every tap reads padding everywhere
    p.groups.push_back(sg);
  }
  return p;
}

}  // namespace

bool conv_wgrad_direct_applies(const ConvGeometry& g) {
#if PT_WGRAD_DIRECT_AVX512
  // 1x1 kernels on more than 4 channels stay GEMMs (pointwise, or the batch path): their phase
  // planes copy the whole image for taps that read one plane (ResNet-18's 1x1/2 shortcut, 64
  // channels on 8x8: 0.19 -> 0.34 ms through the direct path)
  if (g.kh * g.kw == 1 && g.c > 4) return false;
  const int64_t taps = g.c * g.kh * g.kw, acc = taps * ((g.o + 15) / 16 * 16);
  const bool winograd = conv_winograd_applies(g) && g.c >= kWinogradWeightMinChannels;
  const int64_t max_acc = winograd ? kDirectMaxAccFloats : kDirectMaxAccFloatsBesideWinograd;
  return kAvx512 && g.groups == 1 && g.dilation_h == 1 && g.dilation_w == 1 && g.stride_h >= 1 &&
         g.stride_h <= 4 && g.stride_w >= 1 && g.stride_w <= 4 &&
         (taps <= kDirectMaxTaps || (acc <= max_acc && g.oh * g.ow >= kDirectMinPositions)) && g.oh >= 1 &&
         g.ow >= 1 && g.o >= 1 && g.oh == (g.h + 2 * g.pad_h - g.kh) / g.stride_h + 1 &&
         g.ow == (g.w + 2 * g.pad_w - g.kw) / g.stride_w + 1;
#else
  (void)g;
  return false;
#endif
}

bool conv2d_backward_weight_direct(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g) {
#if PT_WGRAD_DIRECT_AVX512
  if (!conv_wgrad_direct_applies(g)) return false;
  const int64_t nvt = (g.o + 15) / 16;
  const auto channel_groups = even_split(nvt, (nvt + 3) / 4);  // up to 4 vectors of channels each
  int64_t widest = 0;
  for (const auto& [v0, v1] : channel_groups) widest = std::max(widest, v1 - v0);
  const Plan p = plan_of(g, kMaxTb[widest]);
  const int64_t sp = g.oh * g.ow, hw = g.h * g.w;
  const int64_t asize = p.taps * p.op;
  // Blocks: each channel group's runs of taps, a group of whole offsets (up to the plan's block
  // size) or a kernel offset's C taps in near-equal runs of up to the channel group's block size.
  // A block whose taps share one window reads the image itself inside it (column strides 1 and
  // 2: `direct`); the others, and every block of a chunk whose gy is not finite, read the phase
  // planes, built for an image when its first such block runs.
  struct Block {
    BlockFn planes, direct;  // direct: null where the block must read the planes
    int64_t t0, v0;
    Window win;
  };
  std::vector<Block> blocks;
  for (const auto& [v0, v1] : channel_groups) {
    const int nv = static_cast<int>(v1 - v0);
    const int64_t tb = kMaxTb[nv];
    for (const SlotGroup& sg : p.groups) {
      const auto add = [&](int64_t t0, int64_t t1) {
        const int n = static_cast<int>(t1 - t0);
        const bool direct = sg.exact && g.stride_w <= 2;
        blocks.push_back({block_fn(nv, n, 1), direct ? block_fn(nv, n, g.stride_w) : nullptr, t0, v0, sg.box});
      };
      if (g.c >= tb) {  // one offset a group
        for (const auto& [c0, c1] : even_split(g.c, (g.c + tb - 1) / tb)) add(sg.s0 * g.c + c0, sg.s0 * g.c + c1);
      } else {
        add(sg.s0 * g.c, sg.s1 * g.c);
      }
    }
  }
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
    float* at = acc.data() + task * asize;
    for (int64_t i = g.n * task / tasks, end = g.n * (task + 1) / tasks; i < end; ++i) {
      const float* image = x + i * g.c * hw;
      bool planes = false;  // q holds this image's phase planes
      for (int64_t oy0 = 0; oy0 < g.oh; oy0 += rows) {
        const int64_t oy1 = std::min(g.oh, oy0 + rows);
        // this chunk's gy, (positions, Op), its column sums and whether it holds an infinity or NaN
        const bool finite = transpose_chunk(gy + i * g.o * sp + oy0 * g.ow, g.o, (oy1 - oy0) * g.ow, sp, gt, p.op,
                                            sums ? bsum.data() + task * p.op : nullptr);
        // the next chunk's gy (in this image or the next, with that image's x) comes in while
        // the blocks run
        if (oy1 < g.oh) {
          prefetch_rows(gy + i * g.o * sp + oy1 * g.ow, g.o, std::min(g.oh - oy1, rows) * g.ow, sp);
        } else if (i + 1 < end) {
          prefetch_rows(gy + (i + 1) * g.o * sp, g.o, std::min(g.oh, rows) * g.ow, sp);
          prefetch_rows(x + (i + 1) * g.c * hw, 1, g.c * hw, 0);
        }
        // Outside its window a block's taps read only padding: zeros, whose products it skips
        // unless the chunk's gy holds an infinity or NaN (0·inf is the reference's NaN); then
        // every block runs over the whole chunk, from the planes.
        for (int64_t k = block_parts[static_cast<size_t>(part)].first; k < block_parts[static_cast<size_t>(part)].second;
             ++k) {
          const Block& b = blocks[static_cast<size_t>(k)];
          const Window win = finite ? Window{std::max(oy0, b.win.oy0), std::min(oy1, b.win.oy1), b.win.ox0, b.win.ox1}
                                    : Window{oy0, oy1, 0, g.ow};
          if (win.oy0 >= win.oy1 || win.ox0 >= win.ox1) continue;
          float* a = at + b.t0 * p.op + 16 * b.v0;
          if (finite && b.direct != nullptr) {
            b.direct(image, p.direct.data() + b.t0, g.stride_h * g.w, gt + 16 * b.v0, p.op, oy0, win, g.ow, a, p.op);
            continue;
          }
          if (!planes) {
            phase_planes(image, g, p, q);
            planes = true;
          }
          b.planes(q, p.off.data() + b.t0, p.wq, gt + 16 * b.v0, p.op, oy0, win, g.ow, a, p.op);
        }
      }
    }
  });
  // gw (O, taps) = the tasks' accumulators (taps, Op) added up in task order, transposed
  add_accumulators(acc.data(), acc.data() + asize, tasks - 1, asize);
  for (int64_t k = 0; k < g.kh * g.kw; ++k) {  // accumulator row slot[k]·C + c is gw's tap c·KH·KW + k
    for (int64_t c = 0; c < g.c; ++c) {
      const float* row = acc.data() + (p.slot[static_cast<size_t>(k)] * g.c + c) * p.op;
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
