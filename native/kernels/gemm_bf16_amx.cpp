// AMX-BF16 GEMM micro-kernel: C (fp32) += A·B with both operands bf16, on the tile registers of
// Intel's Advanced Matrix Extensions (Sapphire Rapids and later). One TDPBF16PS multiplies a 16 x 32
// bf16 tile of A by a 32 x 16 tile of B (stored as 16 rows of 16 pairs) into a 16 x 16 fp32 tile of
// C: 8,192 multiply-adds in one instruction, 16 times VDPBF16PS's. The 32x32 tile of C is held in
// four tile registers (tmm0-3), A's two 16-row halves in tmm4-5, B's two 16-column halves in tmm6-7.
// Compiled with -mamx-tile -mamx-bf16 and AVX512-BF16 (binding.gyp); used only where the CPU has
// AMX-BF16 and Linux grants the process the tile state (gemm_bf16.cpp asks, with
// arch_prctl(ARCH_REQ_XCOMP_PERM)).
//
// Packed layouts (inside the fp32 sizes of gemm_kernel.h: a sliver of 32 rows or columns and kc
// steps keeps its place, and its first 32 * ceil(kc/2) words hold bf16 pairs), with P = ceil(kc/2)
// pairs of steps, F = P / 16 whole blocks of 16 pairs and T = P % 16 pairs left over:
//   A sliver: block f (f < F) at word 512 f, row r's 16 pairs at 512 f + 16 r (an A tile, 64-byte
//             rows); then the T left-over pairs of row r at 512 F + T r.
//   B sliver: pair q of column j at word 32 q + j (AVX512-BF16's layout; block f is two B tiles of
//             16 rows 128 bytes apart), packed by the AVX512-BF16 kernel's own pack_b.
// A pair's word holds bf16(x(2q)) in its low half and bf16(x(2q+1)) in its high half, zero past kc.
// The T left-over pairs are added after the tiles with VDPBF16PS, so no tile ever reads past kc.
#include "gemm_bf16.h"

#if defined(__x86_64__) && defined(__AMX_TILE__) && defined(__AMX_BF16__) && defined(__AVX512BF16__)
#include <immintrin.h>

#include "gemm_bf16_pairs.h"
#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 32;
constexpr int kNR = 32;
constexpr int kBlockPairs = 16;                 // pairs of steps in one A or B tile
constexpr int kBlockWords = kMR * kBlockPairs;  // words of one A block (and of one B block)

// Palette 1, every tile 16 rows of 64 bytes. LDTILECFG zeroes the tiles, so each thread loads it
// once, on its first call, and never again.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

thread_local bool tl_configured = false;

inline void configure_tiles() {
  if (tl_configured) return;
  static const TileConfig config;
  _tile_loadconfig(&config);
  tl_configured = true;
}

// The T left-over pairs: c (32 x 32, row stride ldc, already holding the tiles' sums) += the
// products of A's left-over pairs (row r's at a + r*T) and B's (pair q at b + 32 q), 8 rows a pass.
void add_leftover_pairs(int t, const float* a, const float* b, float* c, int64_t ldc) {
  for (int r0 = 0; r0 < kMR; r0 += 8) {
    __m512 acc[8][2];
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      acc[r][0] = _mm512_loadu_ps(c + (r0 + r) * ldc);
      acc[r][1] = _mm512_loadu_ps(c + (r0 + r) * ldc + 16);
    }
    for (int q = 0; q < t; ++q) {
      const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + q * kNR);
      const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + q * kNR + 16);
#pragma GCC unroll 8
      for (int r = 0; r < 8; ++r) {
        // a bit copy of the pair's word: no floating-point operation touches it
        const __m512bh av = (__m512bh)_mm512_castps_si512(_mm512_set1_ps(a[(r0 + r) * t + q]));
        acc[r][0] = _mm512_dpbf16_ps(acc[r][0], av, b0);
        acc[r][1] = _mm512_dpbf16_ps(acc[r][1], av, b1);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
      _mm512_storeu_ps(c + (r0 + r) * ldc, acc[r][0]);
      _mm512_storeu_ps(c + (r0 + r) * ldc + 16, acc[r][1]);
    }
  }
}

void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  configure_tiles();
  const int64_t pairs = (kc + 1) / 2, blocks = pairs / kBlockPairs;
  const int t = static_cast<int>(pairs % kBlockPairs);
  const int64_t stride = ldc * static_cast<int64_t>(sizeof(float));
  float* c_low = c + 16 * ldc;  // rows 16-31
  if (accumulate) {
    _tile_loadd(0, c, stride);
    _tile_loadd(1, c + 16, stride);
    _tile_loadd(2, c_low, stride);
    _tile_loadd(3, c_low + 16, stride);
  } else {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
  for (int64_t f = 0; f < blocks; ++f) {
    const float* ab = a + f * kBlockWords;
    const float* bb = b + f * kBlockWords;
    _tile_loadd(4, ab, 64);
    _tile_loadd(5, ab + 16 * kBlockPairs, 64);
    _tile_loadd(6, bb, kNR * 4);
    _tile_loadd(7, bb + 16, kNR * 4);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, c, stride);
  _tile_stored(1, c + 16, stride);
  _tile_stored(2, c_low, stride);
  _tile_stored(3, c_low + 16, stride);
  if (t > 0) add_leftover_pairs(t, a + blocks * kBlockWords, b + blocks * kBlockWords, c, ldc);
}

// The bottom edge: the packed rows past `rows` are zero, so the whole tile is computed aside.
void micro_rows(int rows, int64_t kc, const float* a, const float* b, float* c, int64_t ldc) {
  alignas(64) float tile[kMR * kNR];
  micro(kc, a, b, tile, kNR, false);
  for (int r = 0; r < rows; ++r) std::memcpy(c + r * ldc, tile + r * kNR, kNR * sizeof(float));
}

// 32 consecutive steps (fewer at the end: `n` of them, zero past) of one row as 16 pair words.
inline __m512i row_pairs(const float* x, int64_t n) {
  const __m512 lo = _mm512_maskz_loadu_ps(first_lanes(n), x);
  const __m512 hi = n > 16 ? _mm512_maskz_loadu_ps(first_lanes(n - 16), x + 16) : _mm512_setzero_ps();
  return (__m512i)_mm512_cvtne2ps_pbh(hi, lo);  // lo's 16 bf16, then hi's: steps in order
}

// op(A)(i, p) = a[i*lda + p]: each row's steps are contiguous, so a row of a block is one convert.
void pack_sliver_from_rows(int rows, int64_t kc, const float* a, int64_t lda, float* dst) {
  const int64_t pairs = (kc + 1) / 2, blocks = pairs / kBlockPairs;
  const int t = static_cast<int>(pairs % kBlockPairs);
  for (int r = 0; r < kMR; ++r) {
    const float* row = a + r * lda;
    for (int64_t f = 0; f < blocks; ++f) {
      const __m512i w = r < rows ? row_pairs(row + 2 * kBlockPairs * f, 2 * kBlockPairs) : _mm512_setzero_si512();
      _mm512_storeu_si512(dst + f * kBlockWords + r * kBlockPairs, w);
    }
    if (t > 0) {
      const int64_t p0 = 2 * kBlockPairs * blocks;
      const __m512i w = r < rows ? row_pairs(row + p0, kc - p0) : _mm512_setzero_si512();
      _mm512_mask_storeu_epi32(dst + blocks * kBlockWords + r * t, first_lanes(t), w);
    }
  }
}

// op(A)(i, p) = a[p*lda + i]: each step's rows are contiguous. A block's pairs are formed step by
// step (pair q of rows j..j+15 in one register), then turned row-major by two register transposes.
void pack_sliver_from_columns(int rows, int64_t kc, const float* a, int64_t lda, float* dst) {
  const __m512i interleave = _mm512_load_si512(kPairInterleave);
  const int64_t pairs = (kc + 1) / 2;
  for (int64_t q0 = 0; q0 < pairs; q0 += kBlockPairs) {
    const int n = static_cast<int>(std::min<int64_t>(kBlockPairs, pairs - q0));
    float* block = dst + q0 * kMR;  // block q0/16 (or the left-over pairs) starts at word 32 q0
    for (int h = 0; h < 2; ++h) {
      const __mmask16 m = first_lanes(rows - 16 * h);
      __m512 w[16];
      for (int q = 0; q < 16; ++q) {
        const int64_t p = 2 * (q0 + q);
        if (q >= n || m == 0) {
          w[q] = _mm512_setzero_ps();
          continue;
        }
        const __m512 first = _mm512_maskz_loadu_ps(m, a + p * lda + 16 * h);
        const __m512 second = p + 1 < kc ? _mm512_maskz_loadu_ps(m, a + (p + 1) * lda + 16 * h) : _mm512_setzero_ps();
        w[q] = _mm512_castsi512_ps(pair_words(first, second, interleave));  // word j: row j's pair
      }
      transpose16(w);  // w[j]: row 16h + j's n pairs
      for (int j = 0; j < 16; ++j) {
        const int r = 16 * h + j;
        if (n == kBlockPairs) {
          _mm512_storeu_ps(block + r * kBlockPairs, w[j]);
        } else {
          _mm512_mask_storeu_ps(block + r * n, first_lanes(n), w[j]);
        }
      }
    }
  }
}

void pack_a(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  for (int64_t i = 0; i < mc; i += kMR, dst += kMR * kc) {
    const int rows = static_cast<int>(std::min<int64_t>(kMR, mc - i));
    if (trans_a) {
      pack_sliver_from_columns(rows, kc, a + i, lda, dst);
    } else {
      pack_sliver_from_rows(rows, kc, a + i * lda, lda, dst);
    }
  }
}

}  // namespace

const GemmKernel* gemm_kernel_amx_bf16() {
  static const GemmKernel* table = [] {
    const GemmKernel* avx512bf16 = gemm_kernel_avx512bf16();
    if (avx512bf16 == nullptr || avx512bf16->nr != kNR) return static_cast<const GemmKernel*>(nullptr);
    // B's pair layout is the AVX512-BF16 kernel's, so is its packing; KC in whole tile blocks
    static const GemmKernel k = {
        "amx-bf16", kMR, kNR, micro, micro_rows, pack_a, avx512bf16->pack_b, sgemm_reference_bf16, 2 * kBlockPairs};
    return &k;
  }();
  return table;
}

}  // namespace pt

#else

namespace pt {
const GemmKernel* gemm_kernel_amx_bf16() { return nullptr; }
}  // namespace pt

#endif
