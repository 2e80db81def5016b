// Pooling kernels, split over (n,c) planes. Averages are summed in double as in the JS reference.
#include "pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PT_POOL_AVX512 1
#endif

#include "parallel.h"

namespace pt {
namespace {

constexpr int64_t kGrainElements = 1 << 14;

int64_t plane_grain(int64_t plane_size) {
  return plane_size > 0 ? std::max<int64_t>(1, kGrainElements / plane_size) : kGrainElements;
}

// The cells of one average-pooling window clipped to the image, and its divisor.
struct Window {
  int64_t ys, ye, xs, xe;
  double div;
};

Window window_of(const PoolGeometry& g, int64_t oy, int64_t ox) {
  const int64_t y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
  const int64_t y1 = std::min(y0 + g.kh, g.h + g.pad_h), x1 = std::min(x0 + g.kw, g.w + g.pad_w);
  Window win{std::max<int64_t>(y0, 0), std::min(y1, g.h), std::max<int64_t>(x0, 0), std::min(x1, g.w), 0.0};
  win.div = g.count_include_pad ? static_cast<double>((y1 - y0) * (x1 - x0))
                                : static_cast<double>((win.ye - win.ys) * (win.xe - win.xs));
  return win;
}

bool window_empty(const Window& win) { return win.ys >= win.ye || win.xs >= win.xe; }

// Adaptive pooling bounds of output cell i: [floor(i*in/out), ceil((i+1)*in/out)).
int64_t adaptive_begin(int64_t i, int64_t in, int64_t out) { return i * in / out; }
int64_t adaptive_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// Output positions [lo, hi) along one axis whose whole window lies inside [0, size).
struct Span {
  int64_t lo, hi;
};

Span inside_span(int64_t size, int64_t k, int64_t stride, int64_t pad, int64_t out) {
  const int64_t lo = std::min((pad + stride - 1) / stride, out);
  const int64_t last = size + pad - k;  // the largest window start o*stride that still fits
  const int64_t hi = last < 0 ? lo : std::max(lo, std::min(last / stride + 1, out));
  return {lo, hi};
}

// Max pooling chooses as the reference's scan does: row by row, a cell takes over when it is
// greater than the best so far (ties keep the first), or when it is NaN and no NaN came before it
// in its own row (a NaN ends the scan of its row; one in a later row takes over again).

// One output cell whose window may cross the border: cells outside the image are skipped.
void max_window_clipped(const float* xp, const PoolGeometry& g, int64_t oy, int64_t ox, float* out, int32_t* arg) {
  float best = -std::numeric_limits<float>::infinity();
  int64_t bi = -1;
  for (int64_t ki = 0; ki < g.kh; ++ki) {
    const int64_t iy = oy * g.stride_h - g.pad_h + ki;
    if (iy < 0 || iy >= g.h) continue;
    for (int64_t kj = 0; kj < g.kw; ++kj) {
      const int64_t ix = ox * g.stride_w - g.pad_w + kj;
      if (ix < 0 || ix >= g.w) continue;
      const float v = xp[iy * g.w + ix];
      if (v > best || bi < 0 || std::isnan(v)) {
        best = v;
        bi = iy * g.w + ix;
        if (std::isnan(v)) break;
      }
    }
  }
  *out = best;
  *arg = static_cast<int32_t>(bi);
}

// One output cell whose kh x kw window starts at (y0, x0) inside the image: the same rule with
// selects instead of branches, which random data would mispredict half of the time.
void max_window_inside(const float* xp, int64_t w, int64_t y0, int64_t x0, int64_t kh, int64_t kw, float* out, int32_t* arg) {
  float best = xp[y0 * w + x0];
  int64_t bi = y0 * w + x0;
  for (int64_t ki = 0; ki < kh; ++ki) {
    const int64_t row = (y0 + ki) * w + x0;
    bool row_nan = false;
    for (int64_t kj = 0; kj < kw; ++kj) {
      const float v = xp[row + kj];
      const bool nan = v != v;
      const bool take = (v > best) | (nan & !row_nan);
      best = take ? v : best;
      bi = take ? row + kj : bi;
      row_nan = row_nan | nan;
    }
  }
  *out = best;
  *arg = static_cast<int32_t>(bi);
}

// `count` 2x2 windows at column stride 2 in rows y0 and y0+1, the first starting at column x0 (the
// halving pool): max_window_inside unrolled, in a loop the compiler vectorises.
void max_row_2x2(const float* xp, int64_t w, int64_t y0, int64_t x0, int64_t count, float* out, int32_t* arg) {
  const float* r0 = xp + y0 * w + x0;
  const float* r1 = r0 + w;
  const int32_t i0 = static_cast<int32_t>(y0 * w + x0), i1 = static_cast<int32_t>(i0 + w);
  for (int64_t j = 0; j < count; ++j) {
    const float a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];
    const int32_t col = static_cast<int32_t>(2 * j);
    const bool a_nan = a != a, c_nan = c != c;
    float best = a;
    int32_t bi = i0 + col;
    const bool tb = (b > best) | ((b != b) & !a_nan);
    best = tb ? b : best;
    bi = tb ? i0 + col + 1 : bi;
    const bool tc = (c > best) | c_nan;
    best = tc ? c : best;
    bi = tc ? i1 + col : bi;
    const bool td = (d > best) | ((d != d) & !c_nan);
    best = td ? d : best;
    bi = td ? i1 + col + 1 : bi;
    out[j] = best;
    arg[j] = bi;
  }
}

#ifdef PT_POOL_AVX512
// max_row_2x2 with AVX-512, 16 windows a pass (the last one masked): the even and odd columns of
// 32 inputs are split with permutes, then the same four compare-and-selects, lane by lane. Compiled
// for AVX-512 alone (the addon's other code keeps the baseline ISA) and called only where the CPU
// has it; masked loads never touch memory past the row's last window.
__attribute__((target("avx512f"))) void max_row_2x2_avx512(const float* xp, int64_t w, int64_t y0, int64_t x0,
                                                          int64_t count, float* out, int32_t* arg) {
  const float* r0 = xp + y0 * w + x0;
  const float* r1 = r0 + w;
  const int32_t i0 = static_cast<int32_t>(y0 * w + x0);
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  const __m512i one = _mm512_set1_epi32(1), below = _mm512_set1_epi32(static_cast<int32_t>(w));
  for (int64_t j = 0; j < count; j += 16) {
    const int64_t n = std::min<int64_t>(16, count - j);
    const auto lanes = [](int64_t k) -> __mmask16 {
      return k >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (k < 0 ? 0 : k)) - 1);
    };
    const __mmask16 m_out = lanes(n), m_lo = lanes(2 * n), m_hi = lanes(2 * n - 16);
    const __m512 lo0 = _mm512_maskz_loadu_ps(m_lo, r0 + 2 * j), hi0 = _mm512_maskz_loadu_ps(m_hi, r0 + 2 * j + 16);
    const __m512 lo1 = _mm512_maskz_loadu_ps(m_lo, r1 + 2 * j), hi1 = _mm512_maskz_loadu_ps(m_hi, r1 + 2 * j + 16);
    const __m512 a = _mm512_permutex2var_ps(lo0, even, hi0), b = _mm512_permutex2var_ps(lo0, odd, hi0);
    const __m512 c = _mm512_permutex2var_ps(lo1, even, hi1), d = _mm512_permutex2var_ps(lo1, odd, hi1);
    const __m512i ia = _mm512_add_epi32(_mm512_set1_epi32(i0 + static_cast<int32_t>(2 * j)), even);
    const __m512i ic = _mm512_add_epi32(ia, below);
    const __mmask16 a_nan = _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), c_nan = _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q);
    __m512 best = a;
    __m512i bi = ia;
    const __mmask16 tb = _mm512_cmp_ps_mask(b, best, _CMP_GT_OQ) | (_mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q) & ~a_nan);
    best = _mm512_mask_mov_ps(best, tb, b);
    bi = _mm512_mask_mov_epi32(bi, tb, _mm512_add_epi32(ia, one));
    const __mmask16 tc = _mm512_cmp_ps_mask(c, best, _CMP_GT_OQ) | c_nan;
    best = _mm512_mask_mov_ps(best, tc, c);
    bi = _mm512_mask_mov_epi32(bi, tc, ic);
    const __mmask16 td = _mm512_cmp_ps_mask(d, best, _CMP_GT_OQ) | (_mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q) & ~c_nan);
    best = _mm512_mask_mov_ps(best, td, d);
    bi = _mm512_mask_mov_epi32(bi, td, _mm512_add_epi32(ic, one));
    _mm512_mask_storeu_ps(out + j, m_out, best);
    _mm512_mask_storeu_epi32(arg + j, m_out, bi);
  }
}

// max_window_inside for `count` windows of one output row at column stride 1 or 2, 16 a pass: the
// window's cells in the same order (row by row), lane by lane, with the same rule for NaNs. Stride
// 2 takes the even lanes of two loads; loads are masked to the cells the windows cover.
__attribute__((target("avx512f"))) void max_row_avx512(const float* xp, int64_t w, int64_t y0, int64_t x0,
                                                      int64_t kh, int64_t kw, int64_t stride, int64_t count,
                                                      float* out, int32_t* arg) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i even = _mm512_add_epi32(lane, lane);
  const __m512i step = stride == 2 ? even : lane;
  const auto lanes = [](int64_t k) -> __mmask16 {
    return k >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (k < 0 ? 0 : k)) - 1);
  };
  for (int64_t j = 0; j < count; j += 16) {
    const int64_t n = std::min<int64_t>(16, count - j);
    const int64_t span = stride * (n - 1) + 1;  // cells of one window row's column that the pass reads
    const __mmask16 m_out = lanes(n), m_lo = lanes(span), m_hi = lanes(span - 16);
    const int64_t c0 = x0 + stride * j;
    __m512 best = _mm512_setzero_ps();
    __m512i bi = _mm512_setzero_si512();
    for (int64_t ki = 0; ki < kh; ++ki) {
      const int64_t row = (y0 + ki) * w;
      __mmask16 row_nan = 0;
      for (int64_t kj = 0; kj < kw; ++kj) {
        const float* src = xp + row + c0 + kj;
        __m512 v;
        if (stride == 2) {
          v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m_lo, src), even, _mm512_maskz_loadu_ps(m_hi, src + 16));
        } else {
          v = _mm512_maskz_loadu_ps(m_out, src);
        }
        const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(row + c0 + kj)), step);
        if (ki == 0 && kj == 0) {
          best = v;
          bi = idx;
        }
        const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        const __mmask16 take = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ) | (nan & ~row_nan);
        best = _mm512_mask_mov_ps(best, take, v);
        bi = _mm512_mask_mov_epi32(bi, take, idx);
        row_nan |= nan;
      }
    }
    _mm512_mask_storeu_ps(out + j, m_out, best);
    _mm512_mask_storeu_epi32(arg + j, m_out, bi);
  }
}

const bool kPoolAvx512 = __builtin_cpu_supports("avx512f");
#endif

// The inside windows of one output row (stride 1 or 2 along it): the AVX-512 version where the CPU
// has it. Returns false when it does not apply, for the scalar loop to run.
bool max_row_inside_best(const float* xp, int64_t w, int64_t y0, int64_t x0, int64_t kh, int64_t kw,
                         int64_t stride, int64_t count, float* out, int32_t* arg) {
#ifdef PT_POOL_AVX512
  if (kPoolAvx512 && (stride == 1 || stride == 2) && count > 0) {
    max_row_avx512(xp, w, y0, x0, kh, kw, stride, count, out, arg);
    return true;
  }
#endif
  (void)xp, (void)w, (void)y0, (void)x0, (void)kh, (void)kw, (void)stride, (void)count, (void)out, (void)arg;
  return false;
}

// The halving pool's row: the AVX-512 version where the CPU has it.
void max_row_2x2_best(const float* xp, int64_t w, int64_t y0, int64_t x0, int64_t count, float* out, int32_t* arg) {
#ifdef PT_POOL_AVX512
  if (kPoolAvx512) return max_row_2x2_avx512(xp, w, y0, x0, count, out, arg);
#endif
  max_row_2x2(xp, w, y0, x0, count, out, arg);
}

}  // namespace

void max_pool2d(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  const Span rows = inside_span(g.h, g.kh, g.stride_h, g.pad_h, g.oh);
  const Span cols = inside_span(g.w, g.kw, g.stride_w, g.pad_w, g.ow);
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * hw;
      float* yp = y + p * ohw;
      int32_t* ap = argmax + p * ohw;
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        float* yr = yp + oy * g.ow;
        int32_t* ar = ap + oy * g.ow;
        const bool row_inside = oy >= rows.lo && oy < rows.hi;
        const int64_t in_lo = row_inside ? cols.lo : g.ow, in_hi = row_inside ? cols.hi : g.ow;
        for (int64_t ox = 0; ox < in_lo; ++ox) max_window_clipped(xp, g, oy, ox, yr + ox, ar + ox);
        const int64_t y0 = oy * g.stride_h - g.pad_h;
        if (g.kh == 2 && g.kw == 2 && g.stride_w == 2) {
          max_row_2x2_best(xp, g.w, y0, in_lo * 2 - g.pad_w, in_hi - in_lo, yr + in_lo, ar + in_lo);
        } else if (!max_row_inside_best(xp, g.w, y0, in_lo * g.stride_w - g.pad_w, g.kh, g.kw, g.stride_w,
                                        in_hi - in_lo, yr + in_lo, ar + in_lo)) {
          for (int64_t ox = in_lo; ox < in_hi; ++ox) {
            max_window_inside(xp, g.w, y0, ox * g.stride_w - g.pad_w, g.kh, g.kw, yr + ox, ar + ox);
          }
        }
        for (int64_t ox = std::max(in_lo, in_hi); ox < g.ow; ++ox) max_window_clipped(xp, g, oy, ox, yr + ox, ar + ox);
      }
    }
  });
}

void max_pool2d_backward(const float* gy, const int32_t* argmax, float* gx, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      // Zeroed plane by plane, just before the scatter, while it is in cache.
      std::fill(gx + p * hw, gx + (p + 1) * hw, 0.0f);
      for (int64_t i = 0; i < ohw; ++i) {
        const int32_t a = argmax[p * ohw + i];
        if (a >= 0) gx[p * hw + a] += gy[p * ohw + i];
      }
    }
  });
}

void avg_pool2d(const float* x, float* y, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * hw;
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const Window win = window_of(g, oy, ox);
          double s = 0.0;
          for (int64_t iy = win.ys; iy < win.ye; ++iy)
            for (int64_t ix = win.xs; ix < win.xe; ++ix) s += xp[iy * g.w + ix];
          // An all-padding window averages to 0, as in the reference.
          const double d = window_empty(win) ? 1.0 : win.div;
          y[p * ohw + oy * g.ow + ox] = d > 0 ? static_cast<float>(s / d) : 0.0f;
        }
      }
    }
  });
}

void avg_pool2d_backward(const float* gy, float* gx, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      float* gp = gx + p * hw;
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          const Window win = window_of(g, oy, ox);
          const double gv = gy[p * ohw + oy * g.ow + ox];
          for (int64_t iy = win.ys; iy < win.ye; ++iy)
            for (int64_t ix = win.xs; ix < win.xe; ++ix) {
              float& cell = gp[iy * g.w + ix];
              cell = static_cast<float>(cell + gv / win.div);
            }
        }
      }
    }
  });
}

void adaptive_avg_pool2d(const float* x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow, float* y) {
  parallel_for(n * c, plane_grain(h * w + oh * ow), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * h * w;
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t y0 = adaptive_begin(oy, h, oh), y1 = adaptive_end(oy, h, oh);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t x0 = adaptive_begin(ox, w, ow), x1 = adaptive_end(ox, w, ow);
          double s = 0.0;
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) s += xp[iy * w + ix];
          y[(p * oh + oy) * ow + ox] = static_cast<float>(s / static_cast<double>((y1 - y0) * (x1 - x0)));
        }
      }
    }
  });
}

void adaptive_avg_pool2d_backward(const float* gy, int64_t n, int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow, float* gx) {
  parallel_for(n * c, plane_grain(h * w + oh * ow), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      float* gp = gx + p * h * w;
      for (int64_t oy = 0; oy < oh; ++oy) {
        const int64_t y0 = adaptive_begin(oy, h, oh), y1 = adaptive_end(oy, h, oh);
        for (int64_t ox = 0; ox < ow; ++ox) {
          const int64_t x0 = adaptive_begin(ox, w, ow), x1 = adaptive_end(ox, w, ow);
          const double gv = gy[(p * oh + oy) * ow + ox] / static_cast<double>((y1 - y0) * (x1 - x0));
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) gp[iy * w + ix] = static_cast<float>(gp[iy * w + ix] + gv);
        }
      }
    }
  });
}

}  // namespace pt
