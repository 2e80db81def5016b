// AVX-512F GEMM micro-kernel: a 12x32 tile of C held in 24 zmm accumulators. Each k step loads
// two 16-float vectors of B and broadcasts 12 values of A: 24 FMAs against 14 loads, which keeps
// the FMA units busy on cores that retire one 512-bit FMA per cycle (Zen 4) or two (Skylake-X),
// and the 24 independent accumulators cover the FMA latency. Compiled with -mavx512f -mfma.
#include "gemm_kernel.h"

#if defined(__x86_64__) && defined(__AVX512F__)
#include <immintrin.h>

#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 12;
constexpr int kNV = 2;  // zmm vectors per row of the tile
constexpr int kNR = 16 * kNV;

// The first R rows of a tile: a holds kc steps of kMR floats (only R are read), b kc steps of kNR
// floats (64-byte aligned); c is (R,kNR) with row stride ldc.
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

  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(b);
    const __m512 b1 = _mm512_load_ps(b + 16);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNR), _MM_HINT_T0);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
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
}

void pack_b(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  pack_b_tiles<kNR>(trans_b, kc, nc, b, ldb, dst);
}

const GemmKernel kKernel = {"avx512", kMR, kNR, micro, micro_rows, pack_a, pack_b};

}  // namespace

const GemmKernel* gemm_kernel_avx512() { return &kKernel; }

}  // namespace pt

#else

namespace pt {
const GemmKernel* gemm_kernel_avx512() { return nullptr; }
}  // namespace pt

#endif
