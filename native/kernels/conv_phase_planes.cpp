// phase_planes (conv_phase_planes.h). A plane row is a strided pick of one image row with zeros
// where it reads padding: stride 1 is a copy; stride 2, the strided convolutions' common case
// (ResNet's stems), takes 32 floats in two masked loads (the image row's ends masked off, so that
// nothing outside it is read) and keeps every second one with one two-source permute, where a
// float at a time cost the W4 stem's direct weight gradient 2.5% of its time; other strides go a
// float at a time.
#include "conv_phase_planes.h"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PT_PHASE_AVX512 1
#endif

namespace pt {
namespace conv_util {
namespace {

#if PT_PHASE_AVX512
const bool kAvx512 = __builtin_cpu_supports("avx512f");

// Lanes k in [0, 16) with lo ≤ k < hi.
__attribute__((target("avx512f"))) inline __mmask16 lanes(int64_t lo, int64_t hi) {
  lo = std::max<int64_t>(lo, 0);
  hi = std::min<int64_t>(hi, 16);
  if (hi <= lo) return 0;
  return static_cast<__mmask16>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

// row0[j] = src[2j + start] and row1[j] = src[2j + start + 1] for j in [0, n): one image row's
// two column phases, zero where the index is outside [0, w).
__attribute__((target("avx512f"))) void stride2_rows(const float* src, int64_t w, int64_t start, int64_t n,
                                                     float* row0, float* row1) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  // the address of src[i] without forming an out-of-range pointer: masked-off lanes are neither
  // read nor faulted on
  const auto at = [&](int64_t i) { return reinterpret_cast<const float*>(reinterpret_cast<uintptr_t>(src) + i * 4); };
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t base = start + 2 * j;  // src index of lane 0; the loads cover [base, base + 32)
    const __m512 lo = _mm512_maskz_loadu_ps(lanes(-base, w - base), at(base));
    const __m512 hi = _mm512_maskz_loadu_ps(lanes(-base - 16, w - base - 16), at(base + 16));
    const __mmask16 m = lanes(0, n - j);
    _mm512_mask_storeu_ps(row0 + j, m, _mm512_permutex2var_ps(lo, even, hi));
    _mm512_mask_storeu_ps(row1 + j, m, _mm512_permutex2var_ps(lo, odd, hi));
  }
}
#endif

}  // namespace

void phase_planes(const float* x, const ConvGeometry& g, const PhaseGeometry& p, float* q) {
  for (int64_t c = 0; c < g.c; ++c) {
    for (int64_t a = 0; a < p.sh; ++a) {
      for (int64_t b = 0; b < p.sw; ++b) {
        float* plane = q + ((c * p.sh + a) * p.sw + b) * p.plane;
        // columns j whose pixel ix = sw·j + b − pad_w lies in [0, W)
        const int64_t j0 = std::min(p.wq, std::max<int64_t>(0, (g.pad_w - b + p.sw - 1) / p.sw));
        const int64_t last = g.w - 1 + g.pad_w - b;  // sw·j ≤ last
        const int64_t j1 = last < 0 ? j0 : std::max(j0, std::min(p.wq, last / p.sw + 1));
        for (int64_t i = 0; i < p.hq; ++i) {
          float* row = plane + i * p.wq;
          const int64_t iy = p.sh * i + a - g.pad_h;
          const bool inside = iy >= 0 && iy < g.h;
          const float* image_row = inside ? x + (c * g.h + iy) * g.w : nullptr;
#if PT_PHASE_AVX512
          if (p.sw == 2 && kAvx512 && inside) {  // both column phases of the row at once, at b = 0
            if (b == 0) stride2_rows(image_row, g.w, -g.pad_w, p.wq, row, row + p.plane);
            continue;
          }
#endif
          if (!inside || j1 == j0) {
            std::fill(row, row + p.wq, 0.0f);
            continue;
          }
          const float* src = image_row + p.sw * j0 + b - g.pad_w;
          std::fill(row, row + j0, 0.0f);
          if (p.sw == 1) {
            std::memcpy(row + j0, src, static_cast<size_t>(j1 - j0) * sizeof(float));
          } else {
            for (int64_t j = j0; j < j1; ++j) row[j] = src[(j - j0) * p.sw];
          }
          std::fill(row + j1, row + p.wq, 0.0f);
        }
      }
    }
  }
}

}  // namespace conv_util
}  // namespace pt
