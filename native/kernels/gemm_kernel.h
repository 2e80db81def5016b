// The contract between the GEMM driver and a per-instruction-set micro-kernel.
//
// Each instruction set lives in its own translation unit compiled with its own -m flags
// (gemm_avx512.cpp, gemm_avx2.cpp, gemm_generic.cpp) and exposes one GemmKernel table. Packing is
// in the table too, so it gets the same vector width and tile sizes as the micro-kernel.
//
// Packed layouts (zero-padded to whole tiles):
//   A panel (mc,kc) -> ceil(mc/MR) slivers, each kc steps of MR floats: sliver[p*MR + r] = A(i+r, p)
//   B panel (kc,nc) -> ceil(nc/NR) slivers, each kc steps of NR floats: sliver[p*NR + j] = B(p, j+j')
#pragma once

#include <cstdint>

namespace pt {

struct GemmKernel {
  const char* name;
  int mr;
  int nr;
  // c (MR,NR) with row stride ldc  = (accumulate ? c : 0) + a_sliver · b_sliver over kc steps.
  void (*micro)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool accumulate);
  // The first `rows` (1 <= rows < MR) rows of that tile, overwriting c: the bottom edge of C.
  void (*micro_rows)(int rows, int64_t kc, const float* a, const float* b, float* c, int64_t ldc);
  // Packs op(A)[0:mc, 0:kc]; `a` points at op(A)(0,0) of the panel; lda as in gemm.h.
  void (*pack_a)(bool trans_a, int64_t mc, int64_t kc, const float* a, int64_t lda, float* dst);
  // Packs op(B)[0:kc, 0:nc]; `b` points at op(B)(0,0) of the panel; ldb as in gemm.h.
  void (*pack_b)(bool trans_b, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* dst);
  // The naive loops of problems too small to pack, with this kernel's numerics (gemm.h's sgemm
  // contract); nullptr: sgemm_reference. The bf16 tables round the operands (gemm_bf16.h).
  void (*naive)(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate) = nullptr;
  // The automatic blocks make KC a multiple of this many steps (amx-bf16: 32, one tile's depth, so
  // only a product's last panel has steps left over); blocks fixed by the user are used as given.
  int k_unit = 1;
};

// Each returns its table, or nullptr when this build has no such kernel (non-x86 targets).
const GemmKernel* gemm_kernel_avx512();
const GemmKernel* gemm_kernel_avx2();
const GemmKernel* gemm_kernel_generic();

}  // namespace pt
