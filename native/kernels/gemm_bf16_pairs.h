// The bf16 pair words that both native bf16 kernels pack (gemm_bf16_avx512.cpp, gemm_bf16_amx.cpp):
// word j = bf16(first[j]) | bf16(second[j]) << 16, two steps of one row or column in one 32-bit
// word, as VDPBF16PS and TDPBF16PS read them. Internal linkage (an anonymous namespace), and only in
// files compiled with -mavx512bf16, as gemm_pack.h's copies are.
//
// Example:
//   const __m512i interleave = _mm512_load_si512(kPairInterleave);
//   _mm512_mask_storeu_epi32(dst, first_lanes(n), pair_words(step0, step1, interleave));
#pragma once

#if defined(__x86_64__) && defined(__AVX512BF16__) && defined(__AVX512BW__)
#include <immintrin.h>

#include <cstdint>

namespace pt {
namespace {

// The 16-bit lanes of (first's 16 bf16, then second's) in pair order: first j, second j, ...
alignas(64) constexpr int16_t kPairInterleave[32] = {0,  16, 1,  17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                     8,  24, 9,  25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

// 16 pair words from 16 floats of each of two steps; `interleave` is kPairInterleave, loaded.
inline __m512i pair_words(__m512 first, __m512 second, __m512i interleave) {
  const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(second, first);  // first's 16 bf16, then second's
  return _mm512_permutexvar_epi16(interleave, both);
}

// The mask of the first n of 16 lanes (none for n <= 0, all for n >= 16).
inline __mmask16 first_lanes(int64_t n) {
  if (n <= 0) return 0;
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

}  // namespace
}  // namespace pt

#endif
