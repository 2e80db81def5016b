// AVX512-BF16 GEMM micro-kernel: C (fp32) += A·B with both operands packed as bf16 pairs. The
// 12x32 tile of C is held in 24 zmm fp32 accumulators, as the fp32 avx512 kernel's; each step
// takes two k at once: VDPBF16PS multiplies 16 pairs of bf16 from a B sliver by a broadcast pair
// of A and adds both products into each fp32 lane, twice the multiply-adds of an fp32 FMA in one
// instruction. Compiled with -mavx512f -mavx512bw -mavx512vl -mavx512bf16 (binding.gyp), and used
// only where the CPU has AVX512-BF16 (gemm_bf16.cpp).
//
// Packed layout (inside the fp32 layout of gemm_kernel.h, so the driver's offsets hold): a sliver
// of W rows or columns and kc steps keeps its place and size, and its first ceil(kc/2)*W words
// hold the pairs: word[q*W + j] = bf16(x(j, 2q)) | bf16(x(j, 2q+1)) << 16, zero past kc.
#include "gemm_bf16.h"

#if defined(__x86_64__) && defined(__AVX512BF16__) && defined(__AVX512BW__)
#include <immintrin.h>

#include "gemm_bf16_pairs.h"
#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 12;
constexpr int kNV = 2;  // zmm vectors per row of the tile
constexpr int kNR = 16 * kNV;

// 16 words of pairs from 16 floats of each of two steps (masked to the first lanes of m).
inline void store_pairs(__mmask16 m, __m512 first, __m512 second, __m512i interleave, float* dst) {
  _mm512_mask_storeu_epi32(dst, m, pair_words(first, second, interleave));
}

// Rewrites one packed fp32 sliver (kc steps of W floats at s) as bf16 pairs, in place: pair q is
// written at s + q*W, below the steps 2q and 2q+1 it reads, which are read first.
template <int W>
void sliver_to_pairs(int64_t kc, float* s) {
  const __m512i interleave = _mm512_load_si512(kPairInterleave);
  for (int64_t q = 0; 2 * q < kc; ++q) {
    const float* r0 = s + 2 * q * W;
    const bool has_second = 2 * q + 1 < kc;
    for (int j = 0; j < W; j += 16) {
      const __mmask16 m = first_lanes(W - j);
      const __m512 v0 = _mm512_maskz_loadu_ps(m, r0 + j);
      const __m512 v1 = has_second ? _mm512_maskz_loadu_ps(m, r0 + W + j) : _mm512_setzero_ps();
      store_pairs(m, v0, v1, interleave, s + q * W + j);
    }
  }
}

// A whole B sliver (kNR columns) from rows contiguous along j, in one pass: B(p, j) = b[p*ldb + j].
void sliver_pairs_from_rows(int64_t kc, const float* b, int64_t ldb, float* dst) {
  const __m512i interleave = _mm512_load_si512(kPairInterleave);
  for (int64_t q = 0; 2 * q < kc; ++q, dst += kNR) {
    const float* r0 = b + 2 * q * ldb;
    const bool has_second = 2 * q + 1 < kc;
    for (int j = 0; j < kNR; j += 16) {
      const __m512 v1 = has_second ? _mm512_loadu_ps(r0 + ldb + j) : _mm512_setzero_ps();
      store_pairs(0xffff, _mm512_loadu_ps(r0 + j), v1, interleave, dst + j);
    }
  }
}

// The first R rows of a tile: a holds ceil(kc/2) pairs of kMR words (only R are read), b as many
// pairs of kNR words (64-byte aligned); c is (R,kNR) fp32 with row stride ldc.
template <int R>
struct Tile {
  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
};

template <int R>
void Tile<R>::run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  __m512 acc[R][kNV];
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < kNV; ++v) acc[r][v] = _mm512_setzero_ps();

  for (int64_t q = 0; 2 * q < kc; ++q) {
    const __m512bh b0 = (__m512bh)_mm512_load_si512(b);
    const __m512bh b1 = (__m512bh)_mm512_load_si512(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNR), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      // a bit copy of the pair's word: no floating-point operation touches it
      const __m512bh av = (__m512bh)_mm512_castps_si512(_mm512_set1_ps(a[r]));
      acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
      acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
    }
    a += kMR;
    b += kNR;
  }

#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    float* row = c + r * ldc;
    for (int v = 0; v < kNV; ++v) {
      __m512 x = acc[r][v];
      if (accumulate) x = _mm512_add_ps(x, _mm512_loadu_ps(row + 16 * v));
      _mm512_storeu_ps(row + 16 * v, x);
    }
  }
}

void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  Tile<kMR>::run(kc, a, b, c, ldc, accumulate);
}

void micro_rows(int rows, int64_t kc, const float* a, const float* b, float* c, int64_t ldc) {
  run_partial<Tile, kMR - 1>(rows, kc, a, b, c, ldc);
}

void pack_a(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  pack_a_tiles<kMR>(trans_a, mc, kc, a, lda, dst);
  for (int64_t i = 0; i < mc; i += kMR) sliver_to_pairs<kMR>(kc, dst + i * kc);
}

// Whole slivers of a B stored along j are converted as they are read; the others (B stored along
// k, the last partial sliver) are packed in fp32 first, then rewritten as pairs.
void pack_b(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j = 0; j < nc; j += kNR) {
    const int64_t cols = nc - j < kNR ? nc - j : kNR;
    float* sliver = dst + j * kc;
    if (!trans_b && cols == kNR) {
      sliver_pairs_from_rows(kc, b + j, ldb, sliver);
    } else {
      pack_b_tiles<kNR>(trans_b, kc, cols, trans_b ? b + j * ldb : b + j, ldb, sliver);
      sliver_to_pairs<kNR>(kc, sliver);
    }
  }
}

const GemmKernel kKernel = {"avx512bf16", kMR, kNR, micro, micro_rows, pack_a, pack_b, sgemm_reference_bf16};

}  // namespace

const GemmKernel* gemm_kernel_avx512bf16() { return &kKernel; }

}  // namespace pt

#else

namespace pt {
const GemmKernel* gemm_kernel_avx512bf16() { return nullptr; }
}  // namespace pt

#endif
