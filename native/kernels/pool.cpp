// Pooling kernels, split over (n,c) planes. Averages are summed in double as in the JS reference.
#include "pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

}  // namespace

void max_pool2d(const float* x, float* y, int32_t* argmax, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
      const float* xp = x + p * hw;
      for (int64_t oy = 0; oy < g.oh; ++oy) {
        for (int64_t ox = 0; ox < g.ow; ++ox) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t bi = -1;
          for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t iy = oy * g.stride_h - g.pad_h + ki;
            if (iy < 0 || iy >= g.h) continue;
            for (int64_t kj = 0; kj < g.kw; ++kj) {
              const int64_t ix = ox * g.stride_w - g.pad_w + kj;
              if (ix < 0 || ix >= g.w) continue;
              const float v = xp[iy * g.w + ix];
              // Same rule as the reference, NaN included: a NaN ends the scan of its window row.
              if (v > best || bi < 0 || std::isnan(v)) {
                best = v;
                bi = iy * g.w + ix;
                if (std::isnan(v)) break;
              }
            }
          }
          y[p * ohw + oy * g.ow + ox] = best;
          argmax[p * ohw + oy * g.ow + ox] = static_cast<int32_t>(bi);
        }
      }
    }
  });
}

void max_pool2d_backward(const float* gy, const int32_t* argmax, float* gx, const PoolGeometry& g) {
  const int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  parallel_for(g.n * g.c, plane_grain(hw + ohw), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) {
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
