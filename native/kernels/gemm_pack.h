// Packing of GEMM panels into micro-kernel slivers (layout in gemm_kernel.h), templated on the
// tile sizes so each instruction-set translation unit gets fully unrolled copies, and the
// dispatch of partial tiles to row-count specialisations of a micro-kernel.
//
// Everything here has internal linkage (anonymous namespace) on purpose: each includer is compiled
// with different -m flags, and a shared (weak) instantiation could let the linker pick an AVX-512
// copy for a CPU without AVX-512.
#pragma once

#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace pt {
namespace {

#if defined(__AVX512F__)
// GCC 12 warns that _mm512_undefined_ps (inside the unpack and shuffle intrinsics) is
// uninitialised: it is, by design (a don't-care operand).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Transposes 16 rows of 16 floats in registers: r[i][j] -> r[j][i] (unpack pairs, then pairs of
// pairs, then 128-bit lanes twice).
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  // r[4q + c] now holds, in each 128-bit lane l, column c of rows 4q..4q+3 at columns 4l + c.
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      t[8 * h + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0x88);
      t[8 * h + 4 + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0xdd);
    }
  }
#pragma GCC unroll 8
  for (int c = 0; c < 8; ++c) {
    r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xdd);
  }
}

// dst[p*W + j0 + j] = src[j*ld + p] for j < rows (<= 16), 16 steps p: one register transpose.
template <int W>
inline void transpose_block16(int rows, const float* src, int64_t ld, float* dst) {
  __m512 r[16];
#pragma GCC unroll 16
  for (int j = 0; j < 16; ++j) r[j] = j < rows ? _mm512_loadu_ps(src + j * ld) : _mm512_setzero_ps();
  transpose16(r);
  const __mmask16 keep = static_cast<__mmask16>((1u << (W < 16 ? W : 16)) - 1);
#pragma GCC unroll 16
  for (int p = 0; p < 16; ++p) _mm512_mask_storeu_ps(dst + p * W, keep, r[p]);
}
#pragma GCC diagnostic pop
#endif

// One step of a sliver from a contiguous source: d[j] = s[j] for j < width, zero for
// width <= j < W.
template <int W>
inline void sliver_step(int64_t width, const float* s, float* d) {
#if defined(__AVX512F__)
  // Whole vectors, and masked loads and stores for a partial one (12 floats of an A sliver).
#pragma GCC unroll 4
  for (int j0 = 0; j0 < W; j0 += 16) {
    const int64_t n = std::min<int64_t>(16, std::max<int64_t>(0, width - j0));
    const __mmask16 store = static_cast<__mmask16>((1u << std::min(16, W - j0)) - 1);
    const __mmask16 load = static_cast<__mmask16>((1u << n) - 1);
    _mm512_mask_storeu_ps(d + j0, store, _mm512_maskz_loadu_ps(load, s + j0));
  }
#else
  if (width == W) {
    for (int j = 0; j < W; ++j) d[j] = s[j];
  } else {
    for (int j = 0; j < W; ++j) d[j] = j < width ? s[j] : 0.0f;
  }
#endif
}

// Slivers filled side by side by slivers_from_rows: more write streams than this slow it down
// (0.6 ns a float for 43 slivers of 12 at once, 0.07 in groups of 8).
constexpr int64_t kRowSlivers = 8;

// ceil(width/W) slivers from a source that is contiguous along them: sliver i gets
// dst[i*W*kc + p*W + j] = src[p*ld + i*W + j] (zero past width), p < kc. Step by step across all
// slivers, so the source is read row after row (walking down one sliver at a time reads a new
// page every step when ld is large: 2-3x slower at ld = 1024).
// Each step also prefetches the group's part of the source row kRowPrefetch steps ahead: rows
// ld floats apart are a page apart from ld = 1024 on, where the hardware prefetchers do not
// follow, and the weight gradients' A (dW = gᵀ·x, g [tokens, out]) is read that way.
constexpr int64_t kRowPrefetch = 8;

template <int W>
void slivers_from_rows(int64_t width, int64_t kc, const float* src, int64_t ld, float* dst) {
  const int64_t slivers = (width + W - 1) / W;
  for (int64_t i0 = 0; i0 < slivers; i0 += kRowSlivers) {
    const int64_t i1 = std::min(slivers, i0 + kRowSlivers);
    const int64_t span_bytes = (std::min(width, i1 * W) - i0 * W) * static_cast<int64_t>(sizeof(float));
    for (int64_t p = 0; p < kc; ++p) {
      const float* s = src + p * ld;
      if (p + kRowPrefetch < kc) {
        const char* ahead = reinterpret_cast<const char*>(s + kRowPrefetch * ld + i0 * W);
        for (int64_t off = 0; off < span_bytes; off += 64) __builtin_prefetch(ahead + off);
      }
      float* d = dst + p * W;
      for (int64_t i = i0; i < i1; ++i) sliver_step<W>(std::min<int64_t>(W, width - i * W), s + i * W, d + i * W * kc);
    }
  }
}

// One sliver from a source that is contiguous along k: dst[p*W + j] = src[j*ld + p] for
// j < width, zero beyond. Steps of 8 along k read each source row a cache line at a time while
// the writes stay inside one sliver: 5x faster than walking the W rows for every step.
// `next` (may be null) is the next sliver's source: the first next_width of its rows are
// prefetched a 16-step block at a time, one sliver ahead of their use (a block's rows are short
// runs a page apart, which the hardware prefetchers do not pick up before they end).
template <int W>
void sliver_from_columns(int64_t width, int64_t kc, const float* src, int64_t ld, float* dst,
                         const float* next = nullptr, int64_t next_width = 0) {
  constexpr int kStep = 8;
  int64_t p0 = 0;
#if defined(__AVX512F__)
  // 16 steps at a time: load 16 columns of each of up to 16 rows, transpose in registers, store
  // whole steps (about 6x faster than the scalar loops on the 32-wide B slivers of trans_b).
  if constexpr (W <= 16 || W % 16 == 0) {
    for (; p0 + 16 <= kc; p0 += 16) {
      if (next != nullptr) {
        for (int64_t j = 0; j < next_width; ++j) __builtin_prefetch(next + j * ld + p0);
      }
      for (int j0 = 0; j0 < W; j0 += 16) {
        const int rows = static_cast<int>(std::min<int64_t>(16, std::max<int64_t>(0, width - j0)));
        transpose_block16<W>(rows, src + j0 * ld + p0, ld, dst + p0 * W + j0);
      }
    }
  }
#endif
  if (width == W) {
    for (; p0 + kStep <= kc; p0 += kStep) {
      for (int j = 0; j < W; ++j) {
        const float* s = src + j * ld + p0;
        for (int p = 0; p < kStep; ++p) dst[(p0 + p) * W + j] = s[p];
      }
    }
  }
  for (; p0 < kc; ++p0) {
    for (int j = 0; j < W; ++j) dst[p0 * W + j] = j < width ? src[j * ld + p0] : 0.0f;
  }
}

// dst gets ceil(mc/MR) slivers of kc*MR floats of op(A)[0:mc, 0:kc].
template <int MR>
void pack_a_tiles(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  // trans_a: op(A)(i,p) = a[p*lda + i]; else a[i*lda + p].
  if (trans_a) {
    slivers_from_rows<MR>(mc, kc, a, lda, dst);
    return;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR, dst += MR * kc) {
    const int64_t i1 = i0 + MR;
    sliver_from_columns<MR>(mc - i0 < MR ? mc - i0 : MR, kc, a + i0 * lda, lda, dst, i1 < mc ? a + i1 * lda : nullptr,
                            i1 < mc ? std::min<int64_t>(MR, mc - i1) : 0);
  }
}

// dst gets ceil(nc/NR) slivers of kc*NR floats of op(B)[0:kc, 0:nc].
template <int NR>
void pack_b_tiles(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  // trans_b: op(B)(p,j) = b[j*ldb + p]; else b[p*ldb + j].
  if (!trans_b) {
    slivers_from_rows<NR>(nc, kc, b, ldb, dst);
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += NR, dst += NR * kc) {
    const int64_t j1 = j0 + NR;
    sliver_from_columns<NR>(nc - j0 < NR ? nc - j0 : NR, kc, b + j0 * ldb, ldb, dst, j1 < nc ? b + j1 * ldb : nullptr,
                            j1 < nc ? std::min<int64_t>(NR, nc - j1) : 0);
  }
}

// Runs Tile<rows>::run in overwrite mode for 1 <= rows <= R, so the partial-height tiles at the
// bottom edge of C cost what they compute instead of a full tile.
template <template <int> class Tile, int R>
void run_partial(int rows, int64_t kc, const float* a, const float* b, float* c, int64_t ldc) {
  if (rows == R) {
    Tile<R>::run(kc, a, b, c, ldc, false);
  } else if constexpr (R > 1) {
    run_partial<Tile, R - 1>(rows, kc, a, b, c, ldc);
  }
}

}  // namespace
}  // namespace pt
