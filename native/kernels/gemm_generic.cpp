// Portable GEMM micro-kernel: a 4x16 tile accumulated in a local array. Written as plain loops
// with compile-time bounds so any compiler vectorises them with the baseline instruction set
// (SSE2 on x86-64, NEON on arm64); it is the kernel of CPUs without AVX2 and of non-x86 builds.
#include "gemm_kernel.h"
#include "gemm_pack.h"

namespace pt {
namespace {

constexpr int kMR = 4;
constexpr int kNR = 16;

// The first R rows of a tile: a holds kc steps of kMR floats (only R are read), b kc steps of kNR
// floats; c is (R,kNR) with row stride ldc.
template <int R>
struct Tile {
  static void run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
};

template <int R>
void Tile<R>::run(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate) {
  float acc[R][kNR] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int r = 0; r < R; ++r) {
      const float av = a[r];
      for (int j = 0; j < kNR; ++j) acc[r][j] += av * b[j];
    }
    a += kMR;
    b += kNR;
  }
  for (int r = 0; r < R; ++r) {
    float* row = c + r * ldc;
    for (int j = 0; j < kNR; ++j) row[j] = accumulate ? row[j] + acc[r][j] : acc[r][j];
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

const GemmKernel kKernel = {"generic", kMR, kNR, micro, micro_rows, pack_a, pack_b};

}  // namespace

const GemmKernel* gemm_kernel_generic() { return &kKernel; }

}  // namespace pt
