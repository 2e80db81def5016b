// AVX2/FMA GEMM micro-kernel: a 6x16 tile of C held in 12 ymm accumulators. Each k step loads two
// 8-float vectors of B and broadcasts 6 values of A: 12 FMAs against 8 loads, enough independent
// accumulators to hide the FMA latency at two FMAs per cycle, and 15 of the 16 ymm registers used.
// Compiled with -mavx2 -mfma.
#include "gemm_kernel.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 6;
constexpr int kNV = 2;  // ymm vectors per row of the tile
constexpr int kNR = 8 * kNV;

// The first R rows of a tile: a holds kc steps of kMR floats (only R are read), b kc steps of kNR
// floats (32-byte aligned); c is (R,kNR) with row stride ldc.
template <int R>
struct Tile {
  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
};

template <int R>
void Tile<R>::run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  __m256 acc[R][kNV];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < kNV; ++v) acc[r][v] = _mm256_setzero_ps();

  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNR), _MM_HINT_T0);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
    a += kMR;
    b += kNR;
  }

#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) {
    float* row = c + r * ldc;
    for (int v = 0; v < kNV; ++v) {
      __m256 x = acc[r][v];
      if (accumulate) x = _mm256_add_ps(x, _mm256_loadu_ps(row + 8 * v));
      _mm256_storeu_ps(row + 8 * v, x);
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
}

void pack_b(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  pack_b_tiles<kNR>(trans_b, kc, nc, b, ldb, dst);
}

const GemmKernel kKernel = {"avx2", kMR, kNR, micro, micro_rows, pack_a, pack_b};

}  // namespace

const GemmKernel* gemm_kernel_avx2() { return &kKernel; }

}  // namespace pt

#else

namespace pt {
const GemmKernel* gemm_kernel_avx2() { return nullptr; }
}  // namespace pt

#endif
