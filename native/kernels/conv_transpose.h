// Transposes of small row-major matrices for the channels-innermost convolution paths
// (conv_depthwise_nhwc.cpp, conv_rows.cpp): an image's planes (C, H·W) to (H·W, C) and back.
//
// Example:
//   pt::conv_util::transpose(x, c, h * w, xt);   // xt (H·W, C) = x (C, H·W) transposed
#pragma once

#include <algorithm>
#include <cstdint>

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

namespace pt {
namespace conv_util {

// dst (cols, rows) = src (rows, cols) transposed: 4 x 4 blocks in SSE registers (x86-64's
// baseline), in tiles of 16 x 16 so that the strided side touches few cache lines at a time (a
// whole row would touch a line a float, many in the same set when the stride is 1 KiB).
inline void transpose(const float* src, int64_t rows, int64_t cols, float* dst) {
  if (rows == 1 || cols == 1) {  // the same floats in the same order
    std::copy(src, src + rows * cols, dst);
    return;
  }
  constexpr int64_t kTile = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      int64_t r = r0;
#if defined(__SSE2__)
      for (; r + 4 <= r1; r += 4) {
        int64_t c = c0;
        for (; c + 4 <= c1; c += 4) {
          __m128 a = _mm_loadu_ps(src + r * cols + c), b = _mm_loadu_ps(src + (r + 1) * cols + c);
          __m128 e = _mm_loadu_ps(src + (r + 2) * cols + c), f = _mm_loadu_ps(src + (r + 3) * cols + c);
          _MM_TRANSPOSE4_PS(a, b, e, f);
          _mm_storeu_ps(dst + c * rows + r, a);
          _mm_storeu_ps(dst + (c + 1) * rows + r, b);
          _mm_storeu_ps(dst + (c + 2) * rows + r, e);
          _mm_storeu_ps(dst + (c + 3) * rows + r, f);
        }
        for (; c < c1; ++c) {
          for (int64_t k = r; k < r + 4; ++k) dst[c * rows + k] = src[k * cols + c];
        }
      }
#endif
      for (; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
}

}  // namespace conv_util
}  // namespace pt
