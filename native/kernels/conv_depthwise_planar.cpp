// Depthwise convolution (multiplier 1) in the planes' own layout: no transpose to channels-last,
// no padded copy. At stride 1 with the output as wide as the input (wd), output position
// p = oy·wd + ox of a plane reads, for tap (ki, kj), the input plane at p + rs[ki]·wd + cs[kj]
// (rs, cs: the tap's row and column shift), valid where that row and column lie inside the plane.
// So 16 consecutive output positions (a chunk: one row of 16, two rows of 8, a whole 4x4 plane)
// take, a tap, 16 input floats at a fixed offset, masked to the valid lanes, and one multiply-add
// with the channel's weight broadcast. The mask of lane j is (row valid for ki) & (column valid
// for kj); a plan keeps them per chunk and tap (the plane's tail, p >= the plane, is out of every
// mask). Masked lanes are never read (no load outside the plane). The forward pass and the weight
// gradient multiply them as zeros, as the reference's im2col does (w·0 or gy·0 is NaN where w or
// gy is not); the input gradient leaves them out (merge-masked FMA), as its col2im does.
//   forward:          out = y,  in = x,  rs[ki] = ki·dh − ph, cs[kj] = kj·dw − pw
//   backward input:   out = gx, in = gy, rs[ki] = ph − ki·dh, cs[kj] = pw − kj·dw  (the forward
//                     pass's taps read backwards: gx(iy, ix) = Σ w(ki, kj)·gy(iy − rs', ix − cs'))
//   backward weight:  gw[c][t] = Σ_images Σ_p gy(p)·x(p + off(t)), with the forward's plan: one
//                     vector accumulator a tap (per-lane partial sums), added up in double every
//                     few images (at most 64 products a lane in float); the bias gradient's sums
//                     ride along (one read of gy).
// Three kernels go further than the masked loads (which split a cache line at 6 of 9 taps):
// 3x3 pad-1 planes 16, 8 or 4 wide build each tap's 16 inputs from the plane's aligned chunks in
// registers with one VALIGND (inner chunks with the column masks in registers, the centre column
// unmasked; a 4x4 plane with its masks hoisted out of the plane loop); 3x3 stride 2 from rows 16
// wide picks two output rows' inputs from two input rows with one VPERMT2PS; planes of 2, 4 or 8
// positions go 16 / (H·W) planes a chunk, weights spread per lane. Where the reference would
// differ only by the order of additions, every pass uses FMA (no separate rounding of products).
// Planes go a run a task (forward, input gradient), channels a run a task (weight gradient: each
// channel's sums are its own, no reduction across threads); work under about 512K multiply-adds
// stays on the caller's thread.
#include "conv_depthwise_planar.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "parallel.h"

namespace pt {
namespace {

constexpr int64_t kLanes = 16;
// Multiply-adds (lanes) of a task at least: about 10-20 us, more than a wake-up.
constexpr int64_t kGrainLanes = int64_t{1} << 19;
// Products a lane sums in float before they go into the double sums.
constexpr int64_t kFloatRun = 64;
// Images ahead whose planes the weight gradient prefetches.
constexpr int64_t kAhead = 2;

#if defined(__GNUC__) && defined(__x86_64__)
const bool kAvx512 = __builtin_cpu_supports("avx512f");
#define PT_AVX512 __attribute__((target("avx512f")))
#else
const bool kAvx512 = false;
#define PT_AVX512
#endif

// A pass's geometry: output planes of pout floats (rows of wd), input planes of hin rows of wd,
// and for chunk k its row masks rowm[k·kh + ki] and column masks colm[k·kw + kj].
struct Plan {
  int64_t wd = 0, pin = 0, pout = 0, chunks = 0;
  std::vector<int64_t> off;
  std::vector<uint16_t> rowm, colm;
  // masks[k·kh·kw + ki·kw + kj] = rowm & colm: the gather's table.
  std::vector<__mmask16> masks;
  // inner[k]: every row mask of chunk k is whole.
  std::vector<uint8_t> inner;
};

// periodic: planes smaller than a chunk (16 % pout == 0), 16 / pout of them a chunk, so one chunk
// of masks serves every chunk (lane j at position j % pout of its plane).
Plan plan_of(int64_t kh, int64_t kw, int64_t wd, int64_t hin, int64_t hout, const std::vector<int64_t>& rs,
             const std::vector<int64_t>& cs, bool periodic) {
  Plan p;
  p.wd = wd;
  p.pin = hin * wd;
  p.pout = hout * wd;
  p.chunks = periodic ? 1 : (p.pout + kLanes - 1) / kLanes;
  for (int64_t ki = 0; ki < kh; ++ki) {
    for (int64_t kj = 0; kj < kw; ++kj) p.off.push_back(rs[static_cast<size_t>(ki)] * wd + cs[static_cast<size_t>(kj)]);
  }
  p.rowm.assign(static_cast<size_t>(p.chunks * kh), 0);
  p.colm.assign(static_cast<size_t>(p.chunks * kw), 0);
  for (int64_t k = 0; k < p.chunks; ++k) {
    for (int64_t j = 0; j < kLanes; ++j) {
      const int64_t pos = periodic ? j % p.pout : k * kLanes + j;
      if (pos >= p.pout) break;
      const int64_t oy = pos / wd, ox = pos % wd;
      for (int64_t ki = 0; ki < kh; ++ki) {
        const int64_t r = oy + rs[static_cast<size_t>(ki)];
        if (r >= 0 && r < hin) p.rowm[static_cast<size_t>(k * kh + ki)] |= static_cast<uint16_t>(1u << j);
      }
      for (int64_t kj = 0; kj < kw; ++kj) {
        const int64_t col = ox + cs[static_cast<size_t>(kj)];
        if (col >= 0 && col < wd) p.colm[static_cast<size_t>(k * kw + kj)] |= static_cast<uint16_t>(1u << j);
      }
    }
  }
  for (int64_t k = 0; k < p.chunks; ++k) {
    bool whole = true;
    for (int64_t ki = 0; ki < kh; ++ki) whole = whole && p.rowm[static_cast<size_t>(k * kh + ki)] == 0xffff;
    p.inner.push_back(whole ? 1 : 0);
    for (int64_t ki = 0; ki < kh; ++ki) {
      for (int64_t kj = 0; kj < kw; ++kj) {
        p.masks.push_back(static_cast<__mmask16>(p.rowm[static_cast<size_t>(k * kh + ki)] &
                                                 p.colm[static_cast<size_t>(k * kw + kj)]));
      }
    }
  }
  return p;
}

// The plan of the forward pass (and of the weight gradient): out = y, in = x.
Plan forward_plan(const ConvGeometry& g, bool periodic = false) {
  std::vector<int64_t> rs, cs;
  for (int64_t ki = 0; ki < g.kh; ++ki) rs.push_back(ki * g.dilation_h - g.pad_h);
  for (int64_t kj = 0; kj < g.kw; ++kj) cs.push_back(kj * g.dilation_w - g.pad_w);
  return plan_of(g.kh, g.kw, g.w, g.h, g.oh, rs, cs, periodic);
}

// The input gradient's: out = gx, in = gy.
Plan backward_plan(const ConvGeometry& g, bool periodic = false) {
  std::vector<int64_t> rs, cs;
  for (int64_t ki = 0; ki < g.kh; ++ki) rs.push_back(g.pad_h - ki * g.dilation_h);
  for (int64_t kj = 0; kj < g.kw; ++kj) cs.push_back(g.pad_w - kj * g.dilation_w);
  return plan_of(g.kh, g.kw, g.w, g.oh, g.h, rs, cs, periodic);
}

// base + i floats as an address, i possibly before base (the lanes there are masked off and never
// read): integer arithmetic, so no out-of-range pointer is formed.
inline const float* at(const float* base, int64_t i) {
  return reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(base) + static_cast<uintptr_t>(i * 4));
}

// One chunk's taps for U chunks at once (k, k+1, ...), a partial sum a kernel row and chunk (so
// that the multiply-adds are U·KH independent chains), added up at the end.
template <int KH, int KW, int U, bool Skip>
PT_AVX512 inline __attribute__((always_inline)) void gather_chunks(const int64_t* off, const __mmask16* masks,
                                                                    const __m512* wv, __m512 b0, const float* s,
                                                                    float* d, int64_t k, int64_t full, __mmask16 tail) {
  constexpr int T = KH * KW;
  __m512 acc[U][KH];
  for (int u = 0; u < U; ++u) {
    acc[u][0] = b0;
    for (int ki = 1; ki < KH; ++ki) acc[u][ki] = _mm512_setzero_ps();
  }
#pragma GCC unroll 5
  for (int ki = 0; ki < KH; ++ki) {
#pragma GCC unroll 5
    for (int kj = 0; kj < KW; ++kj) {
#pragma GCC unroll 2
      for (int u = 0; u < U; ++u) {
        const int t = ki * KW + kj;
        const __mmask16 m = masks[(k + u) * T + t];
        const __m512 xv = _mm512_maskz_loadu_ps(m, at(s + (k + u) * kLanes, off[t]));
        if constexpr (Skip) {
          acc[u][ki] = _mm512_mask3_fmadd_ps(wv[t], xv, acc[u][ki], m);
        } else {
          acc[u][ki] = _mm512_fmadd_ps(wv[t], xv, acc[u][ki]);
        }
      }
    }
  }
  for (int u = 0; u < U; ++u) {
    __m512 sum = acc[u][0];
    for (int ki = 1; ki < KH; ++ki) sum = _mm512_add_ps(sum, acc[u][ki]);
    if (k + u < full) {
      _mm512_storeu_ps(d + (k + u) * kLanes, sum);
    } else {
      _mm512_mask_storeu_ps(d + (k + u) * kLanes, tail, sum);
    }
  }
}

// out planes [q0, q1) of the gather: out(p) = bias + Σ_t w(t)·in(p + off(t)), in taken as 0 outside
// the plane (Skip: those products left out instead, as the input gradient's reference does).
template <int KH, int KW, bool Skip>
PT_AVX512 void gather_planes(const Plan& pl, const float* in, const float* w, const float* bias, float* out, int64_t c,
                             int64_t q0, int64_t q1) {
  constexpr int T = KH * KW;
  // Two chunks at once where the weights leave the registers for it.
  constexpr int U = T <= 9 ? 2 : 1;
  int64_t off[T];
  for (int t = 0; t < T; ++t) off[t] = pl.off[static_cast<size_t>(t)];
  const __mmask16* masks = pl.masks.data();
  const int64_t full = pl.pout / kLanes;
  const __mmask16 tail = static_cast<__mmask16>((1u << (pl.pout % kLanes)) - 1u);
  int64_t ch = q0 % c;
  for (int64_t q = q0; q < q1; ++q) {
    __m512 wv[T];
    for (int t = 0; t < T; ++t) wv[t] = _mm512_set1_ps(w[ch * T + t]);
    const __m512 b0 = bias == nullptr ? _mm512_setzero_ps() : _mm512_set1_ps(bias[ch]);
    const float* src = in + q * pl.pin;
    float* dst = out + q * pl.pout;
    int64_t k = 0;
    for (; k + U <= pl.chunks; k += U) gather_chunks<KH, KW, U, Skip>(off, masks, wv, b0, src, dst, k, full, tail);
    for (; k < pl.chunks; ++k) gather_chunks<KH, KW, 1, Skip>(off, masks, wv, b0, src, dst, k, full, tail);
    if (++ch == c) ch = 0;
  }
}

// The common case (MobileNet's): 3x3, padding 1, no dilation, planes of rows 16, 8 or 4 wide and a
// whole number of chunks. Tap (ki, kj) then reads at the compile-time offset
// SIGN·((ki−1)·WD + kj−1): the 16 floats there are a window across two of the plane's aligned
// chunks, which one VALIGND makes from the chunks in registers. So each chunk is loaded once (no
// load that splits a cache line, as 6 of the 9 unaligned loads did) and reused by every tap.
template <int WD, int SIGN>
struct Taps3 {
  static constexpr int off(int t) { return SIGN * ((t / 3 - 1) * WD + t % 3 - 1); }
  // Chunk of the window's low half, relative to the output chunk, and the shift inside it.
  static constexpr int lo(int t) { return off(t) >= 0 ? off(t) / 16 : -((15 - off(t)) / 16); }
  static constexpr int shift(int t) { return off(t) - 16 * lo(t); }
  // Chunks around the output chunk that the taps read: [k − kR, k + kR].
  static constexpr int kR = WD == 16 ? 2 : 1;
};

// The 16 floats S into lo:hi, lanes outside m zeroed.
// Full: every lane valid, no mask.
template <int S, bool Full>
PT_AVX512 inline __attribute__((always_inline)) __m512 window(__m512 lo, __m512 hi, __mmask16 m) {
  if constexpr (Full && S == 0) {
    return lo;
  } else if constexpr (Full) {
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(hi), _mm512_castps_si512(lo), S));
  } else if constexpr (S == 0) {
    return _mm512_maskz_mov_ps(m, lo);
  } else {
    return _mm512_castsi512_ps(_mm512_maskz_alignr_epi32(m, _mm512_castps_si512(hi), _mm512_castps_si512(lo), S));
  }
}

// The plane's chunks k − kR .. k + kR (zeros outside the plane: only masked lanes read them).
template <int R>
PT_AVX512 inline __attribute__((always_inline)) void load_around(const float* src, int64_t k, int64_t chunks,
                                                                  __m512* v) {
  for (int j = -R; j <= R; ++j) {
    const int64_t kk = k + j;
    const __mmask16 in = kk >= 0 && kk < chunks ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>(0);
    v[j + R] = _mm512_maskz_loadu_ps(in, at(src, kk * kLanes));
  }
}

// In: a chunk whose rows are inside the plane for every kernel row, so that only the columns of
// kj 0 and 2 are masked (m, the same for every such chunk) and the centre column is whole.
template <int WD, int SIGN, int T, bool In>
PT_AVX512 inline __attribute__((always_inline)) __m512 tap_input(const __m512* v, __mmask16 m) {
  using P = Taps3<WD, SIGN>;
  return window<P::shift(T), In && T % 3 == 1>(v[P::kR + P::lo(T)], v[P::kR + P::lo(T) + (P::shift(T) == 0 ? 0 : 1)], m);
}

// acc[row] += w(t)·in(t) for the 9 taps: the forward pass multiplies the padding's zeros as the
// reference does (so w·0 is NaN where w is not finite); the input gradient (SIGN −1) leaves the
// padded lanes out, as the reference's col2im does.
template <int WD, int SIGN, bool In, int... Ts>
PT_AVX512 inline __attribute__((always_inline)) void gather3_taps(const __m512* v, const __m512* wv,
                                                                  const __mmask16* m, __m512* acc,
                                                                  std::integer_sequence<int, Ts...>) {
  if constexpr (SIGN > 0) {
    ((acc[Ts / 3] = _mm512_fmadd_ps(wv[Ts], tap_input<WD, SIGN, Ts, In>(v, m[Ts]), acc[Ts / 3])), ...);
  } else {
    ((acc[Ts / 3] = In && Ts % 3 == 1
                        ? _mm512_fmadd_ps(wv[Ts], tap_input<WD, SIGN, Ts, In>(v, m[Ts]), acc[Ts / 3])
                        : _mm512_mask3_fmadd_ps(wv[Ts], tap_input<WD, SIGN, Ts, In>(v, m[Ts]), acc[Ts / 3], m[Ts])),
     ...);
  }
}

// The masks of an inner chunk (rows all inside): the column masks, alike for every chunk when
// the rows are 16, 8 or 4 wide.
inline void inner_masks(const Plan& pl, __mmask16* cm) {
  for (int t = 0; t < 9; ++t) cm[t] = pl.colm[static_cast<size_t>(t % 3)];
}

template <int WD, int SIGN>
PT_AVX512 void gather3_planes(const Plan& pl, const float* in, const float* w, const float* bias, float* out,
                              int64_t c, int64_t q0, int64_t q1) {
  constexpr int R = Taps3<WD, SIGN>::kR;
  const __mmask16* masks = pl.masks.data();
  const uint8_t* inner = pl.inner.data();
  __mmask16 cm[9];
  inner_masks(pl, cm);
  int64_t ch = q0 % c;
  if (pl.chunks == 1) {
    // A plane a chunk (4x4): the masks, the same for every plane, in registers; no neighbours.
    __mmask16 lm[9];
    for (int t = 0; t < 9; ++t) lm[t] = masks[t];
    for (int64_t q = q0; q < q1; ++q) {
      __m512 wv[9];
      for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[ch * 9 + t]);
      __m512 v[2 * R + 1];
      for (int j = 0; j <= 2 * R; ++j) v[j] = _mm512_setzero_ps();
      v[R] = _mm512_loadu_ps(in + q * pl.pin);
      __m512 acc[3] = {bias == nullptr ? _mm512_setzero_ps() : _mm512_set1_ps(bias[ch]), _mm512_setzero_ps(),
                       _mm512_setzero_ps()};
      gather3_taps<WD, SIGN, false>(v, wv, lm, acc, std::make_integer_sequence<int, 9>{});
      _mm512_storeu_ps(out + q * pl.pout, _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), acc[2]));
      if (++ch == c) ch = 0;
    }
    return;
  }
  for (int64_t q = q0; q < q1; ++q) {
    __m512 wv[9];
    for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[ch * 9 + t]);
    const __m512 b0 = bias == nullptr ? _mm512_setzero_ps() : _mm512_set1_ps(bias[ch]);
    const float* src = in + q * pl.pin;
    float* dst = out + q * pl.pout;
    for (int64_t k = 0; k < pl.chunks; ++k) {
      __m512 v[2 * R + 1];
      load_around<R>(src, k, pl.chunks, v);
      __m512 acc[3] = {b0, _mm512_setzero_ps(), _mm512_setzero_ps()};
      if (inner[k] != 0) {
        gather3_taps<WD, SIGN, true>(v, wv, cm, acc, std::make_integer_sequence<int, 9>{});
      } else {
        gather3_taps<WD, SIGN, false>(v, wv, masks + k * 9, acc, std::make_integer_sequence<int, 9>{});
      }
      _mm512_storeu_ps(dst + k * kLanes, _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), acc[2]));
    }
    if (++ch == c) ch = 0;
  }
}

template <int WD, bool In, int... Ts>
PT_AVX512 inline __attribute__((always_inline)) void weight3_taps(const __m512* v, __m512 gv, const __mmask16* m,
                                                                  __m512* acc, std::integer_sequence<int, Ts...>) {
  ((acc[Ts] = _mm512_fmadd_ps(gv, tap_input<WD, 1, Ts, In>(v, m[Ts]), acc[Ts])), ...);
}

// Adds acc[t] (16 float lanes) to sum[t] in double and clears it.
template <int T>
PT_AVX512 inline __attribute__((always_inline)) void flush(__m512* acc, double* sum) {
  for (int t = 0; t < T; ++t) {
    const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(acc[t]));
    const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(acc[t]), 1)));
    sum[t] += _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
    acc[t] = _mm512_setzero_ps();
  }
}

// The planes of a channel are a whole image apart: too far for the hardware prefetchers.
inline void prefetch_plane(const float* p, int64_t floats) {
  const char* b = reinterpret_cast<const char*>(p);
  for (int64_t i = 0; i < floats * 4; i += 64) _mm_prefetch(b + i, _MM_HINT_T0);
}

template <int WD>
PT_AVX512 void weight3_channels(const Plan& pl, const float* gy, const float* x, float* gw, float* gb, int64_t n, int64_t c,
                                int64_t c0, int64_t c1) {
  constexpr int R = Taps3<WD, 1>::kR;
  const __mmask16* masks = pl.masks.data();
  const uint8_t* inner = pl.inner.data();
  __mmask16 cm[9], lm[9];
  inner_masks(pl, cm);
  for (int t = 0; t < 9; ++t) lm[t] = masks[t];
  const int64_t run = std::max<int64_t>(1, kFloatRun / std::max<int64_t>(pl.chunks, 1));
  for (int64_t ch = c0; ch < c1; ++ch) {
    // acc[9]: the bias gradient's sums.
    double sum[10] = {};
    __m512 acc[10];
    for (int t = 0; t < 10; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; ++i) {
      const float* g = gy + (i * c + ch) * pl.pout;
      const float* src = x + (i * c + ch) * pl.pin;
      if (i + kAhead < n) {
        prefetch_plane(g + kAhead * c * pl.pout, pl.pout);
        prefetch_plane(src + kAhead * c * pl.pin, pl.pin);
      }
      if (pl.chunks == 1) {
        // A plane a chunk (4x4): the masks in registers, no neighbours.
        __m512 v[2 * R + 1];
        for (int j = 0; j <= 2 * R; ++j) v[j] = _mm512_setzero_ps();
        v[R] = _mm512_loadu_ps(src);
        const __m512 gv = _mm512_loadu_ps(g);
        weight3_taps<WD, false>(v, gv, lm, acc, std::make_integer_sequence<int, 9>{});
        acc[9] = _mm512_add_ps(acc[9], gv);
      }
      for (int64_t k = 0; k < pl.chunks && pl.chunks > 1; ++k) {
        __m512 v[2 * R + 1];
        load_around<R>(src, k, pl.chunks, v);
        const __m512 gv = _mm512_loadu_ps(g + k * kLanes);
        if (inner[k] != 0) {
          weight3_taps<WD, true>(v, gv, cm, acc, std::make_integer_sequence<int, 9>{});
        } else {
          weight3_taps<WD, false>(v, gv, masks + k * 9, acc, std::make_integer_sequence<int, 9>{});
        }
        acc[9] = _mm512_add_ps(acc[9], gv);
      }
      if ((i + 1) % run == 0 || i + 1 == n) flush<10>(acc, sum);
    }
    for (int t = 0; t < 9; ++t) gw[ch * 9 + t] = static_cast<float>(sum[t]);
    if (gb != nullptr) gb[ch] = static_cast<float>(sum[9]);
  }
}

// The width the 3x3 kernels above take (16, 8, 4), else 0.
int64_t fast_width(const ConvGeometry& g) {
  const bool fits = g.kh == 3 && g.kw == 3 && g.pad_h == 1 && g.pad_w == 1 && g.dilation_h == 1 &&
                    g.dilation_w == 1 && g.oh == g.h && (g.h * g.w) % kLanes == 0;
  return fits && (g.w == 16 || g.w == 8 || g.w == 4) ? g.w : 0;
}

// gw for channels [c0, c1): every image's plane of channel ch, chunk by chunk, one accumulator a
// tap; into double every `run` images.
template <int KH, int KW>
PT_AVX512 void weight_channels(const Plan& pl, const float* gy, const float* x, float* gw, float* gb, int64_t n, int64_t c,
                               int64_t c0, int64_t c1) {
  constexpr int T = KH * KW;
  int64_t off[T];
  for (int t = 0; t < T; ++t) off[t] = pl.off[static_cast<size_t>(t)];
  const __mmask16* masks = pl.masks.data();
  const int64_t full = pl.pout / kLanes;
  const __mmask16 tail = static_cast<__mmask16>((1u << (pl.pout % kLanes)) - 1u);
  const int64_t run = std::max<int64_t>(1, kFloatRun / std::max<int64_t>(pl.chunks, 1));
  for (int64_t ch = c0; ch < c1; ++ch) {
    // acc[T]: the bias gradient's sums.
    double sum[T + 1] = {};
    __m512 acc[T + 1];
    for (int t = 0; t <= T; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; ++i) {
      const float* g = gy + (i * c + ch) * pl.pout;
      const float* s0 = x + (i * c + ch) * pl.pin;
      if (i + kAhead < n) {
        prefetch_plane(g + kAhead * c * pl.pout, pl.pout);
        prefetch_plane(s0 + kAhead * c * pl.pin, pl.pin);
      }
      for (int64_t k = 0; k < pl.chunks; ++k) {
        const __m512 gv = _mm512_maskz_loadu_ps(k < full ? static_cast<__mmask16>(0xffff) : tail, g + k * kLanes);
        const float* s = s0 + k * kLanes;
#pragma GCC unroll 25
        for (int t = 0; t < T; ++t) {
          const __mmask16 m = masks[k * T + t];
          const __m512 xv = _mm512_maskz_loadu_ps(m, at(s, off[t]));
          acc[t] = _mm512_fmadd_ps(gv, xv, acc[t]);
        }
        acc[T] = _mm512_add_ps(acc[T], gv);
      }
      if ((i + 1) % run == 0 || i + 1 == n) flush<T + 1>(acc, sum);
    }
    for (int t = 0; t < T; ++t) gw[ch * T + t] = static_cast<float>(sum[t]);
    if (gb != nullptr) gb[ch] = static_cast<float>(sum[T]);
  }
}

// sign: 1 for the forward pass, -1 for the input gradient (its offsets are the forward's negated).
void gather(const Plan& pl, const float* in, const float* w, const float* bias, float* out, const ConvGeometry& g,
            int sign) {
  const int64_t planes = g.n * g.c;
  const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(pl.chunks * kLanes * g.kh * g.kw, 1));
  const int64_t wd = fast_width(g);
  parallel_for(planes, grain, [&](int64_t lo, int64_t hi) {
    if (wd == 16) {
      if (sign > 0) return gather3_planes<16, 1>(pl, in, w, bias, out, g.c, lo, hi);
      return gather3_planes<16, -1>(pl, in, w, bias, out, g.c, lo, hi);
    }
    if (wd == 8) {
      if (sign > 0) return gather3_planes<8, 1>(pl, in, w, bias, out, g.c, lo, hi);
      return gather3_planes<8, -1>(pl, in, w, bias, out, g.c, lo, hi);
    }
    if (wd == 4) {
      if (sign > 0) return gather3_planes<4, 1>(pl, in, w, bias, out, g.c, lo, hi);
      return gather3_planes<4, -1>(pl, in, w, bias, out, g.c, lo, hi);
    }
    if (g.kh == 3) {
      if (sign > 0) return gather_planes<3, 3, false>(pl, in, w, bias, out, g.c, lo, hi);
      return gather_planes<3, 3, true>(pl, in, w, bias, out, g.c, lo, hi);
    }
    if (sign > 0) return gather_planes<5, 5, false>(pl, in, w, bias, out, g.c, lo, hi);
    gather_planes<5, 5, true>(pl, in, w, bias, out, g.c, lo, hi);
  });
}

// Stride 2 (MobileNet's downsampling layers): 3x3, padding 1, rows 16 wide to 8, a multiple of 4
// rows. An output chunk is two output rows (oy = 2k, 2k + 1); tap (ki, kj) reads input rows
// 2·oy + ki − 1 (lanes 0-7 from one, 8-15 from the next but one) at columns 2·ox + kj − 1, which one
// VPERMT2PS picks from the two rows in registers (each row loaded once a chunk).
struct Stride2 {
  __m512i idx[3];  // the forward's column picks for kj (lanes 0-7 from a, 8-15 from b)
  __mmask16 col[3];
  __m512i bidx[3][2];  // the input gradient's: kj, and which row of the gy chunk (lanes 0-7, 8-15)
  __mmask16 bcol[3];
};

PT_AVX512 Stride2 stride2_tables() {
  Stride2 s{};
  for (int kj = 0; kj < 3; ++kj) {
    alignas(64) int32_t f[16];
    alignas(64) int32_t b[2][16];
    unsigned fm = 0, bm = 0;
    for (int j = 0; j < 16; ++j) {
      const int col = 2 * (j % 8) + kj - 1;
      f[j] = (j < 8 ? 0 : 16) + std::max(col, 0);
      if (col >= 0 && col < 16) fm |= 1u << j;
      // gx column j takes gy column (j + 1 − kj) / 2 when that is whole and inside the row.
      const int num = j + 1 - kj, src = num / 2;
      const bool hit = num >= 0 && num % 2 == 0 && src < 8;
      b[0][j] = hit ? src : 0;
      b[1][j] = hit ? 8 + src : 0;
      if (hit) bm |= 1u << j;
    }
    s.idx[kj] = _mm512_load_si512(f);
    s.bidx[kj][0] = _mm512_load_si512(b[0]);
    s.bidx[kj][1] = _mm512_load_si512(b[1]);
    s.col[kj] = static_cast<__mmask16>(fm);
    s.bcol[kj] = static_cast<__mmask16>(bm);
  }
  return s;
}

bool stride2_applies(const ConvGeometry& g) {
  return kAvx512 && g.groups == g.c && g.o == g.c && g.kh == 3 && g.kw == 3 && g.stride_h == 2 && g.stride_w == 2 &&
         g.pad_h == 1 && g.pad_w == 1 && g.dilation_h == 1 && g.dilation_w == 1 && g.w == 16 && g.h % 4 == 0 &&
         g.h > 0 && g.oh == g.h / 2 && g.ow == 8;
}

// The 5 input rows 4k − 1 .. 4k + 3 of chunk k (row −1: zeros).
PT_AVX512 inline __attribute__((always_inline)) void stride2_rows(const float* src, int64_t k, __m512* r) {
  r[0] = _mm512_maskz_loadu_ps(k > 0 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>(0),
                               at(src, (4 * k - 1) * 16));
  for (int j = 1; j < 5; ++j) r[j] = _mm512_loadu_ps(src + (4 * k - 1 + j) * 16);
}

// Tap (ki, kj)'s inputs for chunk k, zeros where they are padding.
PT_AVX512 inline __attribute__((always_inline)) __m512 stride2_input(const Stride2& s, const __m512* r, int64_t k,
                                                                      int ki, int kj) {
  const __mmask16 m = k == 0 && ki == 0 ? static_cast<__mmask16>(s.col[kj] & 0xff00) : s.col[kj];
  return _mm512_maskz_permutex2var_ps(m, r[ki], s.idx[kj], r[ki + 2]);
}

PT_AVX512 void stride2_forward(const Stride2& s, const float* x, const float* w, const float* bias, float* y,
                               const ConvGeometry& g, int64_t q0, int64_t q1) {
  const int64_t pin = g.h * 16, pout = g.oh * 8, chunks = g.oh / 2;
  int64_t ch = q0 % g.c;
  for (int64_t q = q0; q < q1; ++q) {
    __m512 wv[9];
    for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[ch * 9 + t]);
    const __m512 b0 = bias == nullptr ? _mm512_setzero_ps() : _mm512_set1_ps(bias[ch]);
    const float* src = x + q * pin;
    for (int64_t k = 0; k < chunks; ++k) {
      __m512 r[5];
      stride2_rows(src, k, r);
      __m512 acc[3] = {b0, _mm512_setzero_ps(), _mm512_setzero_ps()};
#pragma GCC unroll 3
      for (int ki = 0; ki < 3; ++ki) {
#pragma GCC unroll 3
        for (int kj = 0; kj < 3; ++kj) acc[ki] = _mm512_fmadd_ps(wv[ki * 3 + kj], stride2_input(s, r, k, ki, kj), acc[ki]);
      }
      _mm512_storeu_ps(y + q * pout + k * 16, _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), acc[2]));
    }
    if (++ch == g.c) ch = 0;
  }
}

PT_AVX512 void stride2_weight(const Stride2& s, const float* gy, const float* x, float* gw, float* gb,
                              const ConvGeometry& g, int64_t c0, int64_t c1) {
  const int64_t pin = g.h * 16, pout = g.oh * 8, chunks = g.oh / 2;
  const int64_t run = std::max<int64_t>(1, kFloatRun / std::max<int64_t>(chunks, 1));
  for (int64_t ch = c0; ch < c1; ++ch) {
    double sum[10] = {};
    __m512 acc[10];
    for (int t = 0; t < 10; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t i = 0; i < g.n; ++i) {
      const float* gp = gy + (i * g.c + ch) * pout;
      const float* src = x + (i * g.c + ch) * pin;
      if (i + kAhead < g.n) {
        prefetch_plane(gp + kAhead * g.c * pout, pout);
        prefetch_plane(src + kAhead * g.c * pin, pin);
      }
      for (int64_t k = 0; k < chunks; ++k) {
        __m512 r[5];
        stride2_rows(src, k, r);
        const __m512 gv = _mm512_loadu_ps(gp + k * 16);
#pragma GCC unroll 3
        for (int ki = 0; ki < 3; ++ki) {
#pragma GCC unroll 3
          for (int kj = 0; kj < 3; ++kj) {
            acc[ki * 3 + kj] = _mm512_fmadd_ps(gv, stride2_input(s, r, k, ki, kj), acc[ki * 3 + kj]);
          }
        }
        acc[9] = _mm512_add_ps(acc[9], gv);
      }
      if ((i + 1) % run == 0 || i + 1 == g.n) flush<10>(acc, sum);
    }
    for (int t = 0; t < 9; ++t) gw[ch * 9 + t] = static_cast<float>(sum[t]);
    if (gb != nullptr) gb[ch] = static_cast<float>(sum[9]);
  }
}

// gx row iy (16 wide) takes kernel row ki from gy row (iy + 1 − ki) / 2 when that is whole and
// inside the map; columns likewise (the tables' bidx and bcol). Products with padding are left out.
PT_AVX512 void stride2_input_grad(const Stride2& s, const float* gy, const float* w, float* gx,
                                  const ConvGeometry& g, int64_t q0, int64_t q1) {
  const int64_t pin = g.h * 16, pout = g.oh * 8;
  int64_t ch = q0 % g.c;
  for (int64_t q = q0; q < q1; ++q) {
    __m512 wv[9];
    for (int t = 0; t < 9; ++t) wv[t] = _mm512_set1_ps(w[ch * 9 + t]);
    const float* gp = gy + q * pout;
    float* dst = gx + q * pin;
    for (int64_t iy = 0; iy < g.h; ++iy) {
      __m512 acc = _mm512_setzero_ps();
#pragma GCC unroll 3
      for (int ki = 0; ki < 3; ++ki) {
        const int64_t num = iy + 1 - ki;
        if (num < 0 || num % 2 != 0 || num / 2 >= g.oh) continue;
        const int64_t oy = num / 2;
        const __m512 v = _mm512_loadu_ps(gp + (oy / 2) * 16);
#pragma GCC unroll 3
        for (int kj = 0; kj < 3; ++kj) {
          const __m512 gv = _mm512_maskz_permutexvar_ps(s.bcol[kj], s.bidx[kj][oy % 2], v);
          acc = _mm512_mask3_fmadd_ps(wv[ki * 3 + kj], gv, acc, s.bcol[kj]);
        }
      }
      _mm512_storeu_ps(dst + iy * 16, acc);
    }
    if (++ch == g.c) ch = 0;
  }
}

// Planes of 2, 4 or 8 positions (MobileNet's 2x2 maps), in and out alike: the whole tensor is one
// run of chunks of 16 / pout planes each, every chunk with the same masks and offsets, and the
// weights spread per lane (wexp: chunk g of an image, tap t, lane j = w(channel of lane j, t)).
// Chunk gk of every image, for gk in [g0, g1): the chunk's weights stay in registers across the
// images (wexp, 576 bytes a chunk of a 3x3 kernel, would stream through L1 once per image).
template <int KH, int KW, bool Skip>
PT_AVX512 void gather_small(const Plan& pl, const float* in, const float* wexp, const float* bexp, float* out,
                            int64_t n, int64_t per_image, int64_t g0, int64_t g1) {
  constexpr int T = KH * KW;
  int64_t off[T];
  __mmask16 m[T];
  for (int t = 0; t < T; ++t) {
    off[t] = pl.off[static_cast<size_t>(t)];
    m[t] = pl.masks[static_cast<size_t>(t)];
  }
  for (int64_t gk = g0; gk < g1; ++gk) {
    __m512 wv[T];
    for (int t = 0; t < T; ++t) wv[t] = _mm512_loadu_ps(wexp + (gk * T + t) * kLanes);
    const __m512 b0 = bexp == nullptr ? _mm512_setzero_ps() : _mm512_loadu_ps(bexp + gk * kLanes);
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = i * per_image + gk;
      const float* s = in + k * kLanes;
      __m512 acc[KH];
      acc[0] = b0;
      for (int ki = 1; ki < KH; ++ki) acc[ki] = _mm512_setzero_ps();
#pragma GCC unroll 25
      for (int t = 0; t < T; ++t) {
        const __m512 xv = _mm512_maskz_loadu_ps(m[t], at(s, off[t]));
        if constexpr (Skip) {
          acc[t / KW] = _mm512_mask3_fmadd_ps(wv[t], xv, acc[t / KW], m[t]);
        } else {
          acc[t / KW] = _mm512_fmadd_ps(wv[t], xv, acc[t / KW]);
        }
      }
      __m512 sum = acc[0];
      for (int ki = 1; ki < KH; ++ki) sum = _mm512_add_ps(sum, acc[ki]);
      _mm512_storeu_ps(out + k * kLanes, sum);
    }
  }
}

bool small_applies(const ConvGeometry& g) {
  const int64_t p = g.h * g.w;
  const bool kernel = (g.kh == 3 && g.kw == 3) || (g.kh == 5 && g.kw == 5);
  return kAvx512 && kernel && g.groups == g.c && g.o == g.c && g.stride_h == 1 && g.stride_w == 1 && g.ow == g.w &&
         g.oh == g.h && (p == 2 || p == 4 || p == 8) && (g.c * p) % kLanes == 0;
}

void small_pass(const ConvGeometry& g, const float* in, const float* w, const float* bias, float* out, bool input_grad) {
  const Plan pl = input_grad ? backward_plan(g, true) : forward_plan(g, true);
  const int64_t p = g.h * g.w, taps = g.kh * g.kw, per_image = g.c * p / kLanes;
  std::vector<float> wexp(static_cast<size_t>(per_image * taps * kLanes));
  std::vector<float> bexp(bias == nullptr ? 0 : static_cast<size_t>(per_image * kLanes));
  for (int64_t gk = 0; gk < per_image; ++gk) {
    for (int64_t j = 0; j < kLanes; ++j) {
      const int64_t ch = (gk * kLanes + j) / p;
      for (int64_t t = 0; t < taps; ++t) wexp[static_cast<size_t>((gk * taps + t) * kLanes + j)] = w[ch * taps + t];
      if (bias != nullptr) bexp[static_cast<size_t>(gk * kLanes + j)] = bias[ch];
    }
  }
  const float* be = bias == nullptr ? nullptr : bexp.data();
  const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(g.n * kLanes * taps, 1));
  const int64_t n = g.n;
  parallel_for(per_image, grain, [&](int64_t lo, int64_t hi) {
    if (g.kh == 3) {
      if (input_grad) return gather_small<3, 3, true>(pl, in, wexp.data(), be, out, n, per_image, lo, hi);
      return gather_small<3, 3, false>(pl, in, wexp.data(), be, out, n, per_image, lo, hi);
    }
    if (input_grad) return gather_small<5, 5, true>(pl, in, wexp.data(), be, out, n, per_image, lo, hi);
    gather_small<5, 5, false>(pl, in, wexp.data(), be, out, n, per_image, lo, hi);
  });
}

}  // namespace

bool conv_depthwise_planar_applies(const ConvGeometry& g, bool weight_grad) {
  if (!weight_grad && small_applies(g)) return true;
  const bool kernel = (g.kh == 3 && g.kw == 3) || (g.kh == 5 && g.kw == 5);
  return stride2_applies(g) || (kAvx512 && kernel && g.groups == g.c && g.o == g.c && g.stride_h == 1 &&
                                g.stride_w == 1 && g.ow == g.w && g.oh * g.ow >= kLanes && g.h * g.w >= kLanes);
}

void conv2d_depthwise_planar(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  if (small_applies(g)) return small_pass(g, x, w, bias, y, false);
  if (stride2_applies(g)) {
    const Stride2 s = stride2_tables();
    const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(g.oh * g.ow * 9, 1));
    parallel_for(g.n * g.c, grain, [&](int64_t lo, int64_t hi) { stride2_forward(s, x, w, bias, y, g, lo, hi); });
    return;
  }
  gather(forward_plan(g), x, w, bias, y, g, 1);
}

void conv2d_backward_input_depthwise_planar(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  if (small_applies(g)) return small_pass(g, gy, w, nullptr, gx, true);
  if (stride2_applies(g)) {
    const Stride2 s = stride2_tables();
    const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(g.h * g.w * 9, 1));
    parallel_for(g.n * g.c, grain, [&](int64_t lo, int64_t hi) { stride2_input_grad(s, gy, w, gx, g, lo, hi); });
    return;
  }
  gather(backward_plan(g), gy, w, nullptr, gx, g, -1);
}

void conv2d_backward_weight_depthwise_planar(const float* gy, const float* x, float* gw, float* gb,
                                             const ConvGeometry& g) {
  if (stride2_applies(g)) {
    const Stride2 s = stride2_tables();
    const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(g.n * g.oh * g.ow * 9, 1));
    parallel_for(g.c, grain, [&](int64_t lo, int64_t hi) { stride2_weight(s, gy, x, gw, gb, g, lo, hi); });
    return;
  }
  const Plan pl = forward_plan(g);
  const int64_t per_channel = g.n * pl.chunks * kLanes * g.kh * g.kw;
  const int64_t grain = std::max<int64_t>(1, kGrainLanes / std::max<int64_t>(per_channel, 1));
  const int64_t wd = fast_width(g);
  parallel_for(g.c, grain, [&](int64_t lo, int64_t hi) {
    if (wd == 16) return weight3_channels<16>(pl, gy, x, gw, gb, g.n, g.c, lo, hi);
    if (wd == 8) return weight3_channels<8>(pl, gy, x, gw, gb, g.n, g.c, lo, hi);
    if (wd == 4) return weight3_channels<4>(pl, gy, x, gw, gb, g.n, g.c, lo, hi);
    if (g.kh == 3) {
      weight_channels<3, 3>(pl, gy, x, gw, gb, g.n, g.c, lo, hi);
    } else {
      weight_channels<5, 5>(pl, gy, x, gw, gb, g.n, g.c, lo, hi);
    }
  });
}

}  // namespace pt
