// Packing of GEMM panels into micro-kernel slivers (layout in gemm_kernel.h), templated on the
// tile sizes so each instruction-set translation unit gets fully unrolled copies.
//
// Everything here has internal linkage (anonymous namespace) on purpose: each includer is compiled
// with different -m flags, and a shared (weak) instantiation could let the linker pick an AVX-512
// copy for a CPU without AVX-512.
#pragma once

#include <cstdint>

namespace pt {
namespace {

// dst gets ceil(mc/MR) slivers of kc*MR floats.
template <int MR>
void pack_a_tiles(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR, dst += MR * kc) {
    const int64_t rows = mc - i0 < MR ? mc - i0 : MR;
    if (trans_a) {
      // op(A)(i,p) = a[p*lda + i]: each step's MR values are contiguous.
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = a + p * lda + i0;
        float* d = dst + p * MR;
        if (rows == MR) {
          for (int r = 0; r < MR; ++r) d[r] = s[r];
        } else {
          for (int r = 0; r < MR; ++r) d[r] = r < rows ? s[r] : 0.0f;
        }
      }
    } else if (rows == MR) {
      // op(A)(i,p) = a[i*lda + p]: read MR row streams side by side.
      const float* s = a + i0 * lda;
      for (int64_t p = 0; p < kc; ++p) {
        float* d = dst + p * MR;
        for (int r = 0; r < MR; ++r) d[r] = s[r * lda + p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        float* d = dst + p * MR;
        for (int r = 0; r < MR; ++r) d[r] = r < rows ? a[(i0 + r) * lda + p] : 0.0f;
      }
    }
  }
}

// dst gets ceil(nc/NR) slivers of kc*NR floats.
template <int NR>
void pack_b_tiles(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR, dst += NR * kc) {
    const int64_t cols = nc - j0 < NR ? nc - j0 : NR;
    if (!trans_b) {
      // op(B)(p,j) = b[p*ldb + j]: each step's NR values are contiguous.
      for (int64_t p = 0; p < kc; ++p) {
        const float* s = b + p * ldb + j0;
        float* d = dst + p * NR;
        if (cols == NR) {
          for (int j = 0; j < NR; ++j) d[j] = s[j];
        } else {
          for (int j = 0; j < NR; ++j) d[j] = j < cols ? s[j] : 0.0f;
        }
      }
    } else if (cols == NR) {
      // op(B)(p,j) = b[j*ldb + p]: read NR column streams side by side.
      const float* s = b + j0 * ldb;
      for (int64_t p = 0; p < kc; ++p) {
        float* d = dst + p * NR;
        for (int j = 0; j < NR; ++j) d[j] = s[j * ldb + p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        float* d = dst + p * NR;
        for (int j = 0; j < NR; ++j) d[j] = j < cols ? b[(j0 + j) * ldb + p] : 0.0f;
      }
    }
  }
}

}  // namespace
}  // namespace pt
