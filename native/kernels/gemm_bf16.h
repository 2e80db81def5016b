// bf16 mixed precision for the GEMM: a process-wide precision mode that sgemm and sgemm_batched
// (and so every convolution built on them) read at entry. In bf16 mode both operands are rounded
// to bfloat16 (round to nearest even; NaN stays a quiet NaN; fp32 subnormals become signed zero,
// as VCVTNEPS2BF16 does) and the products are accumulated in fp32; C is fp32.
//
// How bf16 runs is picked at run time from the fp32 micro-kernel in use:
//   avx512 on a CPU with AMX-BF16    -> "amx-bf16": operands packed as bf16 pairs, TDPBF16PS on
//                                       tile registers (gemm_bf16_amx.cpp), where Linux grants the
//                                       process the tile state; else
//   avx512 on a CPU with AVX512-BF16 -> "avx512bf16": operands packed as bf16 pairs, VDPBF16PS
//   any other kernel                 -> "<kernel>+emulated": the fp32 micro-kernel over operands
//                                       rounded to bf16 while they are packed
// POLYTASK_GEMM_BF16_KERNEL (or set_gemm_bf16_kernel) picks one of the native ones by name.
// A bf16 product is exact in fp32, so they differ only in the order of the fp32 additions (as
// the fp32 kernels differ among themselves), and VDPBF16PS and TDPBF16PS flush subnormal sums to
// zero.
//
// Example:
//   pt::set_gemm_precision(pt::GemmPrecision::bf16);
//   pt::sgemm(false, false, m, n, k, a, k, b, n, c, n, false);  // c = bf16(a) @ bf16(b), fp32 sums
//   pt::set_gemm_precision(pt::GemmPrecision::fp32);
#pragma once

#include <cstdint>
#include <cstring>

#include "gemm_kernel.h"

namespace pt {

enum class GemmPrecision { fp32, bf16 };

void set_gemm_precision(GemmPrecision p);
GemmPrecision gemm_precision();

// The kernel table that computes at the current precision on top of the fp32 kernel `fp32`.
const GemmKernel& gemm_kernel_at_precision(const GemmKernel& fp32);

// Name of what bf16 mode runs on with the fp32 kernel in use: "amx-bf16", "avx512bf16" or
// "<kernel>+emulated".
const char* gemm_bf16_kernel_name();

// The AVX512-BF16 table, or nullptr when this build has none (compiler without -mavx512bf16).
const GemmKernel* gemm_kernel_avx512bf16();

// The AMX-BF16 table, or nullptr when this build has none (compiler without -mamx-bf16).
const GemmKernel* gemm_kernel_amx_bf16();

// The native bf16 kernels this CPU (and OS) runs, best first, comma-separated ("" when none): the
// ones bf16 mode can use while the fp32 kernel is avx512.
const char* gemm_bf16_kernels();

// Makes bf16 mode run on the native bf16 kernel `name` (one of gemm_bf16_kernels()) while the fp32
// kernel is avx512; false (nothing changed) for any other name.
bool set_gemm_bf16_kernel(const char* name);

// Whether kernel `k` (32 x 32 tiles) computes one tile, k = 40 steps (a block of 16 pairs and 4
// left over), of small integers, whose sums are exact in any order, bit for bit as `reference`
// does. bf16 mode offers AMX only after this check against AVX512-BF16 passes.
bool gemm_bf16_tile_agrees(const GemmKernel& k, const GemmKernel& reference);

// sgemm_reference (gemm.h) over operands rounded to bf16: the path of problems too small to pack.
void sgemm_reference_bf16(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
                          const float* b, int64_t ldb, float* c, int64_t ldc, bool accumulate);

// The bits of x rounded to bfloat16, in the high half of a float: the scalar twin of VCVTNEPS2BF16.
// Internal linkage (static), so that an ISA file's copy is never shared with the rest of the addon.
static inline uint32_t bf16_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  if ((u & 0x7f800000u) == 0x7f800000u) return (u & 0x007fffffu) != 0 ? (u | 0x00400000u) & 0xffff0000u : u;
  if ((u & 0x7f800000u) == 0) return u & 0x80000000u;
  return (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
}

static inline float round_to_bf16(float x) {
  const uint32_t u = bf16_bits(x);
  float r;
  std::memcpy(&r, &u, sizeof r);
  return r;
}

}  // namespace pt
