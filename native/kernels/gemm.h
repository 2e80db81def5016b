// Single-precision GEMM: C = op(A) op(B) (or C += when accumulating), row-major.
//
// op(A) is (m,k): A is stored (k,m) with leading dimension lda when trans_a, else (m,k).
// op(B) is (k,n): B is stored (n,k) with leading dimension ldb when trans_b, else (k,n).
// C is (m,n) with leading dimension ldc. Overwrite mode never reads C (it may hold garbage/NaN).
//
// The fast path is a Goto-style blocked GEMM (gemm_driver.cpp) whose micro-kernel is picked at run
// time from the best instruction set the CPU supports; sgemm_reference is the naive triple loop
// kept as the oracle and as the path of tiny problems, where packing does not pay.
//
// Example:
//   pt::sgemm(false, false, m, n, k, a, k, b, n, c, n, false);   // c = a @ b
#pragma once

#include <cstdint>

namespace pt {

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
           const float* a, int64_t lda, const float* b, int64_t ldb,
           float* c, int64_t ldc, bool accumulate);

// For b < batch: C_b = op(A_b) op(B_b) with A_b = a + b*a_batch_stride (0 broadcasts one matrix),
// B_b = b + b*b_batch_stride, C_b = c + b*m*n; matrices are densely packed (lda = m or k, ...).
void sgemm_batched(const float* a, const float* b, float* c, int64_t batch,
                   int64_t m, int64_t n, int64_t k, bool trans_a, bool trans_b,
                   int64_t a_batch_stride, int64_t b_batch_stride, bool accumulate);

// The naive triple loop (double accumulator), same contract as sgemm.
void sgemm_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                     const float* a, int64_t lda, const float* b, int64_t ldb,
                     float* c, int64_t ldc, bool accumulate);

// Name of the micro-kernel in use: "avx512", "avx2" or "generic".
const char* gemm_kernel_name();

// Names of the micro-kernels this CPU can run, best first, separated by commas.
const char* gemm_kernels_available();

// Selects a micro-kernel by name (for tests and benchmarks); false when this CPU cannot run it.
bool set_gemm_kernel(const char* name);

// What the fast path runs with: the micro-kernel and its tile, the cache blocks (k steps, rows of
// A, columns of B per packed panel) and what they were chosen from: "cache sizes" (those below),
// "POLYTASK_GEMM_BLOCKS" (KC,MC,NC from the environment) or "set_gemm_blocks".
struct GemmConfig {
  const char* kernel;
  int mr, nr;
  int64_t kc, mc, nc;
  const char* blocks_source;
  int64_t l1d, l2, l3;       // bytes: L1 data and L2 of one core, the whole L3
  const char* cache_source;  // "cpuid", "sysfs" or "default"
  const char* cpu;           // the CPU's brand string
};
GemmConfig gemm_config();

// Fixes KC, MC, NC (each in [1, 65536]; MC and NC are rounded up to whole tiles) for every
// kernel, for tests and experiments; (0, 0, 0) returns to the automatic choice. False otherwise.
bool set_gemm_blocks(int64_t kc, int64_t mc, int64_t nc);

}  // namespace pt
