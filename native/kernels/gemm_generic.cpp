// Portable GEMM micro-kernel: a 4x16 tile accumulated in a local array. Written as plain loops
// with compile-time bounds so any compiler vectorises them with the baseline instruction set
// (SSE2 on x86-64, NEON on arm64); it is the kernel of CPUs without AVX2 and of non-x86 builds.
#include "gemm_kernel.h"
#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 16;

// a: kc steps of kMR floats; b: kc steps of kNR floats; c is (kMR,kNR), row stride ldc.
void micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  float acc[kMR][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int r = 0; r < kMR; ++r) {
      const float av = a[r];
      for (int j = 0; j < kNR; ++j) acc[r][j] += av * b[j];
    }
    a += kMR;
    b += kNR;
  }
  for (int r = 0; r < kMR; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < kNR; ++j) row[j] = accumulate ? row[j] + acc[r][j] : acc[r][j];
  }
}

void pack_a(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst) {
  pack_a_tiles<kMR>(trans_a, mc, kc, a, lda, dst);
}

void pack_b(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst) {
  pack_b_tiles<kNR>(trans_b, kc, nc, b, ldb, dst);
}

const GemmKernel kKernel = {"generic", kMR, kNR, micro, pack_a, pack_b};

}  // namespace

const GemmKernel* gemm_kernel_generic() { return &kKernel; }

}  // namespace pt
