// Packing of GEMM panels into micro-kernel slivers (layout in gemm_kernel.h), templated on the
// tile sizes so each instruction-set translation unit gets fully unrolled copies, and the
// dispatch of partial tiles to row-count specialisations of a micro-kernel.
//
// Everything here has internal linkage (anonymous namespace) on purpose: each includer is compiled
// with different -m flags, and a shared (weak) instantiation could let the linker pick an AVX-512
// copy for a CPU without AVX-512.
#pragma once

#include <cstdint>

namespace pt {
namespace {

// One sliver from a source that is contiguous along the sliver: dst[p*W + j] = src[p*ld + j]
// for j < width, zero for width <= j < W; p < kc.
template <int W>
void sliver_from_rows(int64_t width, int64_t kc, const float* src, int64_t ld, float* dst) {
  for (int64_t p = 0; p < kc; ++p) {
    const float* s = src + p * ld;
    float* d = dst + p * W;
    if (width == W) {
      for (int j = 0; j < W; ++j) d[j] = s[j];
    } else {
      for (int j = 0; j < W; ++j) d[j] = j < width ? s[j] : 0.0f;
    }
  }
}

// One sliver from a source that is contiguous along k: dst[p*W + j] = src[j*ld + p] for
// j < width, zero beyond. Steps of 8 along k read each source row a cache line at a time while
// the writes stay inside one sliver: 5x faster than walking the W rows for every step.
template <int W>
void sliver_from_columns(int64_t width, int64_t kc, const float* src, int64_t ld, float* dst) {
  constexpr int kStep = 8;
  int64_t p0 = 0;
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
  for (int64_t i0 = 0; i0 < mc; i0 += MR, dst += MR * kc) {
    const int64_t rows = mc - i0 < MR ? mc - i0 : MR;
    // trans_a: op(A)(i,p) = a[p*lda + i]; else a[i*lda + p].
    if (trans_a) {
      sliver_from_rows<MR>(rows, kc, a + i0, lda, dst);
    } else {
      sliver_from_columns<MR>(rows, kc, a + i0 * lda, lda, dst);
    }
  }
}

// dst gets ceil(nc/NR) slivers of kc*NR floats of op(B)[0:kc, 0:nc].
template <int NR>
void pack_b_tiles(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR, dst += NR * kc) {
    const int64_t cols = nc - j0 < NR ? nc - j0 : NR;
    // trans_b: op(B)(p,j) = b[j*ldb + p]; else b[p*ldb + j].
    if (trans_b) {
      sliver_from_columns<NR>(cols, kc, b + j0 * ldb, ldb, dst);
    } else {
      sliver_from_rows<NR>(cols, kc, b + j0, ldb, dst);
    }
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
