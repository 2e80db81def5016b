// Transposes for the channels-innermost convolution paths (conv_transpose.h): 16 x 16 blocks in
// zmm registers where the CPU has AVX-512 (tile16_avx512), 8 x 8 blocks in vector registers (GCC
// vectors of 8 floats, three rounds of two-source shuffles; a ymm register each in the AVX2 and
// AVX-512 clones of PT_SIMD_CLONES), 4 x 4 SSE blocks (x86-64's baseline) for
// what remains of a side of 4 or more, single floats for the rest; in tiles of 32 x 32 so that the
// strided side touches few cache lines at a time (a whole row would touch a line a float, many in
// the same set when the stride is 1 KiB). A shuffle moves floats unchanged, so every clone writes
// the same bits.
#include "conv_transpose.h"

#include <algorithm>
#include <cstring>

#include "simd_clones.h"
#include "transpose16_avx512.h"

#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PT_TRANSPOSE_AVX512 1
#endif

namespace pt {
namespace conv_util {
namespace {

typedef float V8 __attribute__((vector_size(32)));
typedef int32_t I8 __attribute__((vector_size(32)));

#define PT_INLINE inline __attribute__((always_inline))

// dst rows 0..7 (stride dst_ld) = the columns of the 8 x 8 block at src (stride src_ld).
PT_INLINE void block8(const float* src, int64_t src_ld, float* dst, int64_t dst_ld) {
  V8 r[8];
  for (int i = 0; i < 8; ++i) std::memcpy(&r[i], src + i * src_ld, sizeof r[i]);
  const I8 lo = {0, 8, 1, 9, 4, 12, 5, 13}, hi = {2, 10, 3, 11, 6, 14, 7, 15};
  const V8 t0 = __builtin_shuffle(r[0], r[1], lo), t1 = __builtin_shuffle(r[0], r[1], hi);
  const V8 t2 = __builtin_shuffle(r[2], r[3], lo), t3 = __builtin_shuffle(r[2], r[3], hi);
  const V8 t4 = __builtin_shuffle(r[4], r[5], lo), t5 = __builtin_shuffle(r[4], r[5], hi);
  const V8 t6 = __builtin_shuffle(r[6], r[7], lo), t7 = __builtin_shuffle(r[6], r[7], hi);
  const I8 pa = {0, 1, 8, 9, 4, 5, 12, 13}, pb = {2, 3, 10, 11, 6, 7, 14, 15};
  const V8 s0 = __builtin_shuffle(t0, t2, pa), s1 = __builtin_shuffle(t0, t2, pb);
  const V8 s2 = __builtin_shuffle(t1, t3, pa), s3 = __builtin_shuffle(t1, t3, pb);
  const V8 s4 = __builtin_shuffle(t4, t6, pa), s5 = __builtin_shuffle(t4, t6, pb);
  const V8 s6 = __builtin_shuffle(t5, t7, pa), s7 = __builtin_shuffle(t5, t7, pb);
  const I8 lo4 = {0, 1, 2, 3, 8, 9, 10, 11}, hi4 = {4, 5, 6, 7, 12, 13, 14, 15};
  const V8 o[8] = {__builtin_shuffle(s0, s4, lo4), __builtin_shuffle(s1, s5, lo4), __builtin_shuffle(s2, s6, lo4),
                   __builtin_shuffle(s3, s7, lo4), __builtin_shuffle(s0, s4, hi4), __builtin_shuffle(s1, s5, hi4),
                   __builtin_shuffle(s2, s6, hi4), __builtin_shuffle(s3, s7, hi4)};
  for (int i = 0; i < 8; ++i) std::memcpy(dst + i * dst_ld, &o[i], sizeof o[i]);
}

// The same for a 4 x 4 block, or single floats where SSE is missing.
PT_INLINE void block4(const float* src, int64_t src_ld, float* dst, int64_t dst_ld) {
#if defined(__SSE2__)
  __m128 a = _mm_loadu_ps(src), b = _mm_loadu_ps(src + src_ld);
  __m128 e = _mm_loadu_ps(src + 2 * src_ld), f = _mm_loadu_ps(src + 3 * src_ld);
  _MM_TRANSPOSE4_PS(a, b, e, f);
  _mm_storeu_ps(dst, a);
  _mm_storeu_ps(dst + dst_ld, b);
  _mm_storeu_ps(dst + 2 * dst_ld, e);
  _mm_storeu_ps(dst + 3 * dst_ld, f);
#else
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < 4; ++r) dst[c * dst_ld + r] = src[r * src_ld + c];
  }
#endif
}

#ifdef PT_TRANSPOSE_AVX512
// The 16 x 16 blocks of a tile with AVX-512 (four rounds of 16 shuffles: a quarter of a shuffle a
// float, where block8 takes three eighths): compiled for AVX-512 alone and called only where the CPU
// has it. Returns the rows [r0, r) of the tile it did; the caller does the rest.
__attribute__((target("avx512f"))) int64_t tile16_avx512(const float* src, int64_t src_ld, float* dst,
                                                         int64_t dst_ld, int64_t r0, int64_t r1, int64_t c0,
                                                         int64_t c1) {
  int64_t r = r0;
  for (; r + 16 <= r1 && c0 + 16 <= c1; r += 16) {
    for (int64_t c = c0; c + 16 <= c1; c += 16) {
      __m512 a[16];
      for (int i = 0; i < 16; ++i) a[i] = _mm512_loadu_ps(src + (r + i) * src_ld + c);
      transpose16(a);
      for (int j = 0; j < 16; ++j) _mm512_storeu_ps(dst + (c + j) * dst_ld + r, a[j]);
    }
  }
  return r;
}

const bool kTransposeAvx512 = __builtin_cpu_supports("avx512f");
#endif

}  // namespace

PT_SIMD_CLONES
void transpose(const float* src, int64_t rows, int64_t cols, int64_t src_ld, float* dst, int64_t dst_ld) {
  if (cols == 1) {  // a column to a row
    for (int64_t r = 0; r < rows; ++r) dst[r] = src[r * src_ld];
    return;
  }
  if (rows == 1) {
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_ld] = src[c];
    return;
  }
  constexpr int64_t kTile = 32;
  const auto at = [&](int64_t r, int64_t c) { return src + r * src_ld + c; };
  const auto to = [&](int64_t r, int64_t c) { return dst + c * dst_ld + r; };
  for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const int64_t r1 = std::min(rows, r0 + kTile);
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      int64_t r = r0;
#ifdef PT_TRANSPOSE_AVX512
      // Whole 16 x 16 tiles of 32 x 32 (the columns of a tile all 16-blocks, or none).
      if (kTransposeAvx512 && (c1 - c0) % 16 == 0) r = tile16_avx512(src, src_ld, dst, dst_ld, r0, r1, c0, c1);
#endif
      for (; r + 8 <= r1; r += 8) {
        int64_t c = c0;
        for (; c + 8 <= c1; c += 8) block8(at(r, c), src_ld, to(r, c), dst_ld);
        for (; c + 4 <= c1; c += 4) {
          block4(at(r, c), src_ld, to(r, c), dst_ld);
          block4(at(r + 4, c), src_ld, to(r + 4, c), dst_ld);
        }
        for (; c < c1; ++c) {
          for (int64_t k = r; k < r + 8; ++k) *to(k, c) = *at(k, c);
        }
      }
      for (; r + 4 <= r1; r += 4) {
        int64_t c = c0;
        for (; c + 4 <= c1; c += 4) block4(at(r, c), src_ld, to(r, c), dst_ld);
        for (; c < c1; ++c) {
          for (int64_t k = r; k < r + 4; ++k) *to(k, c) = *at(k, c);
        }
      }
      for (; r < r1; ++r) {
        for (int64_t c = c0; c < c1; ++c) *to(r, c) = *at(r, c);
      }
    }
  }
}

void transpose(const float* src, int64_t rows, int64_t cols, float* dst) {
  if (rows == 1 || cols == 1) {  // the same floats in the same order
    std::copy(src, src + rows * cols, dst);
    return;
  }
  transpose(src, rows, cols, cols, dst, rows);
}

}  // namespace conv_util
}  // namespace pt
