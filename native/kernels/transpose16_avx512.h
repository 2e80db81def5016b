// The 16 x 16 register transpose of the AVX-512 paths (conv_transpose.cpp's tiles, the direct
// weight gradient's transpose of gy): on return a[j] holds what was column j of the rows
// a[0..15]. Internal to each file that includes it (an anonymous namespace), and compiled for
// AVX-512 wherever it is, so no copy without AVX-512 exists for the linker to pick.
//
// Example:
//   __m512 a[16];  // rows of a 16 x 16 tile
//   pt::conv_util::transpose16(a);  // a[j]: the tile's column j
#pragma once

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace pt {
namespace conv_util {
namespace {

__attribute__((target("avx512f"), always_inline)) inline void transpose16(__m512 a[16]) {
  __m512 b[16];
  for (int i = 0; i < 16; i += 2) {
    b[i] = _mm512_unpacklo_ps(a[i], a[i + 1]);
    b[i + 1] = _mm512_unpackhi_ps(a[i], a[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    a[i] = _mm512_shuffle_ps(b[i], b[i + 2], 0x44);
    a[i + 1] = _mm512_shuffle_ps(b[i], b[i + 2], 0xEE);
    a[i + 2] = _mm512_shuffle_ps(b[i + 1], b[i + 3], 0x44);
    a[i + 3] = _mm512_shuffle_ps(b[i + 1], b[i + 3], 0xEE);
  }
  // a[4q + j] holds column 4L + j of rows 4q..4q+3 in its 128-bit lane L.
  for (int i = 0; i < 8; i += 4) {
    for (int j = 0; j < 4; ++j) {
      b[2 * i + j] = _mm512_shuffle_f32x4(a[2 * i + j], a[2 * i + 4 + j], 0x88);
      b[2 * i + 4 + j] = _mm512_shuffle_f32x4(a[2 * i + j], a[2 * i + 4 + j], 0xDD);
    }
  }
  for (int j = 0; j < 8; ++j) {
    a[j] = _mm512_shuffle_f32x4(b[j], b[j + 8], 0x88);
    a[j + 8] = _mm512_shuffle_f32x4(b[j], b[j + 8], 0xDD);
  }
}

}  // namespace
}  // namespace conv_util
}  // namespace pt
#endif
