// Depthwise convolution by direct loops. A channel multiplier of 1 (MobileNet's layers) goes, on
// AVX-512 CPUs where the geometry allows, to conv_depthwise_planar.cpp (the planes' own layout,
// no transposes), else on maps that fit the per-thread scratch to conv_depthwise_nhwc.cpp
// (channels innermost, vectorised along C); both are exact on non-finite inputs. What follows
// serves the other multipliers and very large maps. Output channel o reads input channel o / m (m = O/C, the
// channel multiplier) through its own KH x KW kernel; every pass walks one (image, channel) plane
// at a time, tap by tap, over the output columns whose input lies inside the image, so that the
// innermost loop is a multiply-add along a row (contiguous when the stride is 1):
//   forward:          y[o](oy, ox)  += w[o](ki, kj) · x[o/m](iy, ix)
//   backward input:   gx[c](iy, ix) += w[o](ki, kj) · gy[o](oy, ox)     for the m outputs of c
//   backward weight:  gw[o](ki, kj)  = Σ_images Σ_(oy, ox) gy[o](oy, ox) · x[o/m](iy, ix)
// with iy = oy·stride_h − pad_h + ki·dil_h and ix likewise. Products with padding are skipped.
// Maps narrower than kNarrow instead walk a table of every position's tap offsets, computed once
// a call, so that a 1x1 or 2x2 plane costs its few live products and no per-row set-up.
// The weight gradient sums each tap over a plane in float (a partial sum per output column) and
// the planes in double.
#include "conv_depthwise.h"
#include "conv_depthwise_nhwc.h"
#include "conv_depthwise_planar.h"

#include <algorithm>
#include <vector>

#include "conv_util.h"
#include "parallel.h"

namespace pt {
namespace {

using conv_util::all_finite;

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// One tap's reach: output columns [lo, hi) whose input column ox·stride + off lies in the image.
struct Span {
  int64_t off, lo, hi;
};

Span span_of(const ConvGeometry& g, int64_t kj) {
  Span s{kj * g.dilation_w - g.pad_w, 0, 0};
  s.lo = std::min(ceil_div(-s.off, g.stride_w), g.ow);
  s.hi = std::max(s.lo, std::min(ceil_div(g.w - s.off, g.stride_w), g.ow));
  return s;
}

// The input row of output row oy and kernel row ki, or -1 in the padding.
int64_t input_row(const ConvGeometry& g, int64_t oy, int64_t ki) {
  const int64_t iy = oy * g.stride_h - g.pad_h + ki * g.dilation_h;
  return iy >= 0 && iy < g.h ? iy : -1;
}

// Rows narrower than this go through the offset table: the per-row set-up would outweigh a row.
constexpr int64_t kNarrow = 8;

// The input offset (iy·W + ix) of every output position and tap, -1 in the padding: on narrow
// maps each plane then walks its positions and live taps straight from the table.
std::vector<int64_t> tap_table(const ConvGeometry& g) {
  const int64_t taps = g.kh * g.kw;
  std::vector<int64_t> t(static_cast<size_t>(g.oh * g.ow * taps));
  for (int64_t oy = 0; oy < g.oh; ++oy) {
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      for (int64_t ki = 0; ki < g.kh; ++ki) {
        for (int64_t kj = 0; kj < g.kw; ++kj) {
          const int64_t iy = oy * g.stride_h - g.pad_h + ki * g.dilation_h;
          const int64_t ix = ox * g.stride_w - g.pad_w + kj * g.dilation_w;
          t[static_cast<size_t>(((oy * g.ow + ox) * g.kh + ki) * g.kw + kj)] =
              iy >= 0 && iy < g.h && ix >= 0 && ix < g.w ? iy * g.w + ix : -1;
        }
      }
    }
  }
  return t;
}

int64_t grain(const ConvGeometry& g) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(g.oh * g.ow * g.kh * g.kw, 1)); }

}  // namespace

bool conv_depthwise_applies(const ConvGeometry& g) { return g.groups > 1 && g.groups == g.c; }

bool conv2d_depthwise(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  if (conv_depthwise_planar_applies(g, false)) {
    conv2d_depthwise_planar(x, w, bias, y, g);
    return true;
  }
  if (conv_depthwise_nhwc_applies(g)) return conv2d_depthwise_nhwc(x, w, bias, y, g);
  if (!all_finite(w, g.o * g.kh * g.kw)) return false;
  const int64_t m = g.o / g.c, sp = g.oh * g.ow, hw = g.h * g.w, taps = g.kh * g.kw;
  if (g.ow < kNarrow) {
    const std::vector<int64_t> table = tap_table(g);
    parallel_for(g.n * g.o, grain(g), [&](int64_t lo, int64_t hi) {
      for (int64_t q = lo; q < hi; ++q) {
        const int64_t o = q % g.o;
        const float* xp = x + ((q / g.o) * g.c + o / m) * hw;
        const float* wo = w + o * taps;
        const int64_t* off = table.data();
        for (int64_t p = 0; p < sp; ++p, off += taps) {
          float acc = bias == nullptr ? 0.0f : bias[o];
          for (int64_t t = 0; t < taps; ++t) {
            if (off[t] >= 0) acc += wo[t] * xp[off[t]];
          }
          y[q * sp + p] = acc;
        }
      }
    });
    return true;
  }
  parallel_for(g.n * g.o, grain(g), [&](int64_t lo, int64_t hi) {
    for (int64_t q = lo; q < hi; ++q) {
      const int64_t i = q / g.o, o = q % g.o;
      const float* xp = x + (i * g.c + o / m) * hw;
      const float* wo = w + o * g.kh * g.kw;
      float* yp = y + q * sp;
      std::fill(yp, yp + sp, bias == nullptr ? 0.0f : bias[o]);
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const Span s = span_of(g, kj);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          float* dst = yp + oy * g.ow;
          for (int64_t ki = 0; ki < g.kh; ++ki) {
            const int64_t iy = input_row(g, oy, ki);
            if (iy < 0) continue;
            const float wv = wo[ki * g.kw + kj];
            const float* src = xp + iy * g.w + s.off;
            if (g.stride_w == 1) {
              for (int64_t ox = s.lo; ox < s.hi; ++ox) dst[ox] += wv * src[ox];
            } else {
              for (int64_t ox = s.lo; ox < s.hi; ++ox) dst[ox] += wv * src[ox * g.stride_w];
            }
          }
        }
      }
    }
  });
  return true;
}

void conv2d_backward_input_depthwise(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  if (conv_depthwise_planar_applies(g, false)) return conv2d_backward_input_depthwise_planar(gy, w, gx, g);
  if (conv_depthwise_nhwc_applies(g)) return conv2d_backward_input_depthwise_nhwc(gy, w, gx, g);
  const int64_t m = g.o / g.c, sp = g.oh * g.ow, hw = g.h * g.w, taps = g.kh * g.kw;
  if (g.ow < kNarrow) {
    const std::vector<int64_t> table = tap_table(g);
    parallel_for(g.n * g.c, grain(g), [&](int64_t lo, int64_t hi) {
      for (int64_t q = lo; q < hi; ++q) {
        const int64_t i = q / g.c, c = q % g.c;
        float* gxp = gx + q * hw;
        std::fill(gxp, gxp + hw, 0.0f);
        for (int64_t o = c * m; o < (c + 1) * m; ++o) {
          const float* gyp = gy + (i * g.o + o) * sp;
          const float* wo = w + o * taps;
          const int64_t* off = table.data();
          for (int64_t p = 0; p < sp; ++p, off += taps) {
            for (int64_t t = 0; t < taps; ++t) {
              if (off[t] >= 0) gxp[off[t]] += wo[t] * gyp[p];
            }
          }
        }
      }
    });
    return;
  }
  parallel_for(g.n * g.c, grain(g), [&](int64_t lo, int64_t hi) {
    for (int64_t q = lo; q < hi; ++q) {
      const int64_t i = q / g.c, c = q % g.c;
      float* gxp = gx + q * hw;
      std::fill(gxp, gxp + hw, 0.0f);
      for (int64_t o = c * m; o < (c + 1) * m; ++o) {
        const float* gyp = gy + (i * g.o + o) * sp;
        const float* wo = w + o * g.kh * g.kw;
        for (int64_t kj = 0; kj < g.kw; ++kj) {
          const Span s = span_of(g, kj);
          for (int64_t oy = 0; oy < g.oh; ++oy) {
            const float* src = gyp + oy * g.ow;
            for (int64_t ki = 0; ki < g.kh; ++ki) {
              const int64_t iy = input_row(g, oy, ki);
              if (iy < 0) continue;
              const float wv = wo[ki * g.kw + kj];
              float* dst = gxp + iy * g.w + s.off;
              if (g.stride_w == 1) {
                for (int64_t ox = s.lo; ox < s.hi; ++ox) dst[ox] += wv * src[ox];
              } else {
                for (int64_t ox = s.lo; ox < s.hi; ++ox) dst[ox * g.stride_w] += wv * src[ox];
              }
            }
          }
        }
      }
    }
  });
}

bool conv2d_backward_weight_bias_depthwise(const float* gy, const float* x, float* gw, float* gb,
                                            const ConvGeometry& g) {
  if (!conv_depthwise_planar_applies(g, true)) return false;
  conv2d_backward_weight_depthwise_planar(gy, x, gw, gb, g);
  return true;
}

bool conv2d_backward_weight_depthwise(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const int64_t m = g.o / g.c, sp = g.oh * g.ow, hw = g.h * g.w, taps = g.kh * g.kw;
  if (conv2d_backward_weight_bias_depthwise(gy, x, gw, nullptr, g)) return true;
  if (conv_depthwise_nhwc_applies(g)) return conv2d_backward_weight_depthwise_nhwc(gy, x, gw, g);
  if (!all_finite(gy, g.n * g.o * sp)) return false;
  if (g.ow < kNarrow) {
    const std::vector<int64_t> table = tap_table(g);
    parallel_for(g.o, std::max<int64_t>(1, grain(g) / std::max<int64_t>(g.n, 1)), [&](int64_t lo, int64_t hi) {
      std::vector<double> acc(static_cast<size_t>(taps));
      std::vector<float> part(static_cast<size_t>(taps));
      for (int64_t o = lo; o < hi; ++o) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t i = 0; i < g.n; ++i) {
          const float* gyp = gy + (i * g.o + o) * sp;
          const float* xp = x + (i * g.c + o / m) * hw;
          std::fill(part.begin(), part.end(), 0.0f);
          const int64_t* off = table.data();
          for (int64_t p = 0; p < sp; ++p, off += taps) {
            for (int64_t t = 0; t < taps; ++t) {
              if (off[t] >= 0) part[static_cast<size_t>(t)] += gyp[p] * xp[off[t]];
            }
          }
          for (int64_t t = 0; t < taps; ++t) acc[static_cast<size_t>(t)] += part[static_cast<size_t>(t)];
        }
        for (int64_t t = 0; t < taps; ++t) gw[o * taps + t] = static_cast<float>(acc[static_cast<size_t>(t)]);
      }
    });
    return true;
  }
  parallel_for(g.o, std::max<int64_t>(1, grain(g) / std::max<int64_t>(g.n, 1)), [&](int64_t lo, int64_t hi) {
    std::vector<double> acc(static_cast<size_t>(taps));
    std::vector<float> lanes(static_cast<size_t>(g.ow));
    for (int64_t o = lo; o < hi; ++o) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t i = 0; i < g.n; ++i) {
        const float* gyp = gy + (i * g.o + o) * sp;
        const float* xp = x + (i * g.c + o / m) * hw;
        for (int64_t kj = 0; kj < g.kw; ++kj) {
          const Span s = span_of(g, kj);
          for (int64_t ki = 0; ki < g.kh; ++ki) {
            // One partial sum per output column, so that the row loop vectorises.
            std::fill(lanes.begin(), lanes.end(), 0.0f);
            float* ln = lanes.data();
            for (int64_t oy = 0; oy < g.oh; ++oy) {
              const int64_t iy = input_row(g, oy, ki);
              if (iy < 0) continue;
              const float* a = gyp + oy * g.ow;
              const float* b = xp + iy * g.w + s.off;
              if (g.stride_w == 1) {
                for (int64_t ox = s.lo; ox < s.hi; ++ox) ln[ox] += a[ox] * b[ox];
              } else {
                for (int64_t ox = s.lo; ox < s.hi; ++ox) ln[ox] += a[ox] * b[ox * g.stride_w];
              }
            }
            float sum = 0.0f;
            for (int64_t ox = s.lo; ox < s.hi; ++ox) sum += ln[ox];
            acc[static_cast<size_t>(ki * g.kw + kj)] += sum;
          }
        }
      }
      for (int64_t t = 0; t < taps; ++t) gw[o * taps + t] = static_cast<float>(acc[static_cast<size_t>(t)]);
    }
  });
  return true;
}

}  // namespace pt
