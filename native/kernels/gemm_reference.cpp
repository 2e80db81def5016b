// The naive GEMM: one double-precision dot product per output. Slow and obviously right; the
// oracle the fast path is tested against.
#include "gemm.h"

namespace pt {

void sgemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                     const float* a, int64_t lda, const float* b, int64_t ldb,
                     float* c, int64_t ldc, bool accumulate) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const float av = trans_a ? a[p * lda + i] : a[i * lda + p];
        const float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        s += static_cast<double>(av) * bv;
      }
      float* out = c + i * ldc + j;
      *out = accumulate ? static_cast<float>(*out + s) : static_cast<float>(s);
    }
  }
}

}  // namespace pt
