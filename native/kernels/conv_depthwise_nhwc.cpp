// Depthwise convolution (multiplier 1) with the channels innermost. Per image, with the channels
// padded to Cp (a multiple of 8; the extra lanes hold zeros and their results are dropped) and the
// kernel cut to its window (the taps that meet the image somewhere: all but on maps of a pixel or
// two):
//   xp = the image transposed to (rows, columns, Cp) inside a border of zeros, gyt (OH·OW, Cp) = gy
//   transposed, wt (window taps, Cp) = the weights transposed (once a call),
//   forward:          yt[p]  = bias + Σ_t wt[t] ⊙ xp[at(p, t)]            then y = ytᵀ
//   backward weight:  gwt[t] = Σ_images Σ_p gyt[p] ⊙ xp[at(p, t)]   (float an image, double over images)
//   backward input:   at stride 1, the forward pass of gy (in a border) with the window turned by
//                     180 degrees; otherwise gxp[at(p, t)] += wt[t] ⊙ gyt[p], tap by tap over the
//                     map (so that no two updates of a pixel are in flight together), then gx =
//                     the image's part of gxpᵀ
// where at(p, t) is the buffer pixel that tap t of output position p reads and ⊙ runs along the
// channels, 16 at a time in one GCC vector (a zmm register under AVX-512, PT_SIMD_CLONES), a tail
// of 8 in a half one. The border makes every (position, tap) pair one multiply-add without a
// test: the forward pass keeps up to 8 positions' sums in registers across the taps (each weight
// vector loaded once for them; kernel rows that meet only the border there are left out when w is
// finite), the weight gradient up to 8 taps' sums across the positions (each
// gy vector loaded once for them). Within the window the border's products are the reference's
// (every tap at every position), so infinities and NaNs come out as the reference's; the taps
// outside it (products with padding only) are left out, which needs w (forward) or gy (weight
// gradient) finite, else the call declines. The gathered input gradient multiplies w by its
// border, so it needs w finite, else the scatter runs.
// Images go one a task; the weight gradient's tasks take a share of the images each, with their
// own double accumulators, added up at the end in task order.
#include "conv_depthwise_nhwc.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_transpose.h"
#include "conv_util.h"
#include "parallel.h"

namespace pt {
namespace {

using namespace conv_util;

// Scratch floats an image may need (padded input and the output, transposed): 4 MiB.
constexpr int64_t kMaxImageFloats = 1 << 20;
// Fewer channels take the row-walking loops of conv_depthwise.cpp.
constexpr int64_t kMinChannels = 16;
// Output positions at most (32x32): the weight gradient sums a plane's positions in float, and
// larger planes vectorise well along their rows in conv_depthwise.cpp.
constexpr int64_t kMaxPositions = 1024;
// Channels are padded to a multiple of this (the half vector of the tail).
constexpr int64_t kLanes = 8;
// Positions (forward) or taps (weight gradient) whose sums stay in registers together.
constexpr int kRun = 8;

// Sixteen and eight floats as GCC vectors. Loaded and stored with memcpy (unaligned), used only
// inside always-inlined functions of one clone: no vector crosses a call between clones.
typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));

#define PT_INLINE inline __attribute__((always_inline))

template <class V>
PT_INLINE V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class V>
PT_INLINE void store(float* p, const V& v) {
  std::memcpy(p, &v, sizeof v);
}

// The kernel's window: rows [k0h, k0h + kh) and columns [k0w, k0w + kw), the hull of the taps
// that meet the image at some output position (on a 1x1 map with padding 1, the centre tap);
// `full` when it is the whole kernel. Taps outside it meet only padding.
struct Window {
  int64_t k0h, k0w, kh, kw;
  bool full;
};

Window window_of(const ConvGeometry& g) {
  const std::vector<int64_t> rows = live_taps(g.kh, g.oh, g.h, g.stride_h, g.pad_h, g.dilation_h, false);
  const std::vector<int64_t> cols = live_taps(g.kw, g.ow, g.w, g.stride_w, g.pad_w, g.dilation_w, false);
  if (rows.empty() || cols.empty()) return {0, 0, 0, 0, false};
  const int64_t kh = rows.back() - rows.front() + 1, kw = cols.back() - cols.front() + 1;
  return {rows.front(), cols.front(), kh, kw, kh == g.kh && kw == g.kw};
}

// Sizes and strides (in floats where a pointer moves) of one pass over a padded image: the buffer
// is (hp, wp, cp), the image's pixel (r, c) at (top + r, left + c) (a negative offset crops);
// output position (oy, ox) reads, for window tap (ki, kj), the buffer's pixel
// (oy·sh + ki·dh, ox·sw + kj·dw).
struct Dims {
  int64_t cp, hp, wp, top, left, oh, ow, kh, kw, sh, sw, dh, dw;
  // The image's rows in the buffer, [top, top + rows); with `skip`, the forward pass leaves out
  // the taps whose buffer row is border for a whole output row (their products are w·0).
  int64_t rows = 0;
  bool skip = false;
};

// The pass of g over its window: what the forward pass, the weight gradient and the scattered
// input gradient read or write.
Dims dims_of(const ConvGeometry& g, const Window& win) {
  const auto extent = [](int64_t out, int64_t k, int64_t stride, int64_t dil) {
    return out > 0 && k > 0 ? (out - 1) * stride + (k - 1) * dil + 1 : 1;
  };
  return {(g.c + kLanes - 1) / kLanes * kLanes,
          extent(g.oh, win.kh, g.stride_h, g.dilation_h),
          extent(g.ow, win.kw, g.stride_w, g.dilation_w),
          g.pad_h - win.k0h * g.dilation_h,
          g.pad_w - win.k0w * g.dilation_w,
          g.oh,
          g.ow,
          win.kh,
          win.kw,
          g.stride_h,
          g.stride_w,
          g.dilation_h,
          g.dilation_w,
          g.h};
}

// The input gradient as a forward pass: at stride 1, gx is gy (in a border of the window's reach
// less the padding) convolved with the window turned by 180 degrees. Its sizes (the buffer holds
// gy), or cp = 0 when the stride or the padding does not allow it.
Dims gather_dims(const ConvGeometry& g, const Window& win) {
  const Dims f = dims_of(g, win);
  const int64_t reach_h = (win.kh - 1) * g.dilation_h, reach_w = (win.kw - 1) * g.dilation_w;
  if (g.stride_h != 1 || g.stride_w != 1 || win.kh == 0 || f.top < 0 || f.top > reach_h || f.left < 0 ||
      f.left > reach_w) {
    return Dims{};
  }
  return {f.cp, g.h + reach_h, g.w + reach_w, reach_h - f.top, reach_w - f.left, g.h, g.w, win.kh, win.kw, 1, 1,
          g.dilation_h, g.dilation_w, g.oh, true};
}

// Forward: yt[p + j] for the n = N positions from (oy, ox) on, one vector of channels.
template <class V, int N>
PT_INLINE void forward_run(const Dims& d, const float* xp, const float* wt, const float* bias, float* yt, int64_t oy,
                           int64_t ox) {
  const V init = bias == nullptr ? V{} : load<V>(bias);
  V acc[N];
  for (int j = 0; j < N; ++j) acc[j] = init;
  const float* x0 = xp + (oy * d.sh * d.wp + ox * d.sw) * d.cp;
  const int64_t step = d.sw * d.cp;
  for (int64_t ki = 0; ki < d.kh; ++ki) {
    const int64_t br = oy * d.sh + ki * d.dh;
    if (d.skip && (br < d.top || br >= d.top + d.rows)) continue;
    for (int64_t kj = 0; kj < d.kw; ++kj) {
      const V wv = load<V>(wt + (ki * d.kw + kj) * d.cp);
      const float* xt = x0 + (ki * d.dh * d.wp + kj * d.dw) * d.cp;
#pragma GCC unroll 8
      for (int j = 0; j < N; ++j) acc[j] += wv * load<V>(xt + j * step);
    }
  }
  float* out = yt + (oy * d.ow + ox) * d.cp;
  for (int j = 0; j < N; ++j) store(out + j * d.cp, acc[j]);
}

template <class V>
PT_INLINE void forward_block(const Dims& d, const float* xp, const float* wt, const float* bias, float* yt) {
  for (int64_t oy = 0; oy < d.oh; ++oy) {
    for (int64_t ox = 0; ox < d.ow; ox += kRun) {
      switch (std::min<int64_t>(kRun, d.ow - ox)) {
        case 8: forward_run<V, 8>(d, xp, wt, bias, yt, oy, ox); break;
        case 7: forward_run<V, 7>(d, xp, wt, bias, yt, oy, ox); break;
        case 6: forward_run<V, 6>(d, xp, wt, bias, yt, oy, ox); break;
        case 5: forward_run<V, 5>(d, xp, wt, bias, yt, oy, ox); break;
        case 4: forward_run<V, 4>(d, xp, wt, bias, yt, oy, ox); break;
        case 3: forward_run<V, 3>(d, xp, wt, bias, yt, oy, ox); break;
        case 2: forward_run<V, 2>(d, xp, wt, bias, yt, oy, ox); break;
        default: forward_run<V, 1>(d, xp, wt, bias, yt, oy, ox); break;
      }
    }
  }
}

// Weight gradient: part[t] for the N taps (ki, kj0 + j), one vector of channels, summed over
// the positions in order.
template <class V, int N>
PT_INLINE void weight_run(const Dims& d, const float* xp, const float* gyt, float* part, int64_t ki, int64_t kj0) {
  V acc[N];
  for (int j = 0; j < N; ++j) acc[j] = V{};
  const int64_t step = d.dw * d.cp;
  for (int64_t oy = 0; oy < d.oh; ++oy) {
    const float* xr = xp + ((oy * d.sh + ki * d.dh) * d.wp + kj0 * d.dw) * d.cp;
    const float* gr = gyt + oy * d.ow * d.cp;
    for (int64_t ox = 0; ox < d.ow; ++ox) {
      const V gv = load<V>(gr + ox * d.cp);
      const float* xb = xr + ox * d.sw * d.cp;
#pragma GCC unroll 8
      for (int j = 0; j < N; ++j) acc[j] += gv * load<V>(xb + j * step);
    }
  }
  for (int j = 0; j < N; ++j) store(part + (ki * d.kw + kj0 + j) * d.cp, acc[j]);
}

template <class V>
PT_INLINE void weight_block(const Dims& d, const float* xp, const float* gyt, float* part) {
  for (int64_t ki = 0; ki < d.kh; ++ki) {
    for (int64_t kj = 0; kj < d.kw; kj += kRun) {
      switch (std::min<int64_t>(kRun, d.kw - kj)) {
        case 8: weight_run<V, 8>(d, xp, gyt, part, ki, kj); break;
        case 7: weight_run<V, 7>(d, xp, gyt, part, ki, kj); break;
        case 6: weight_run<V, 6>(d, xp, gyt, part, ki, kj); break;
        case 5: weight_run<V, 5>(d, xp, gyt, part, ki, kj); break;
        case 4: weight_run<V, 4>(d, xp, gyt, part, ki, kj); break;
        case 3: weight_run<V, 3>(d, xp, gyt, part, ki, kj); break;
        case 2: weight_run<V, 2>(d, xp, gyt, part, ki, kj); break;
        default: weight_run<V, 1>(d, xp, gyt, part, ki, kj); break;
      }
    }
  }
}

// Input gradient: gxp += every tap's products, one tap at a time over the map.
template <class V>
PT_INLINE void input_block(const Dims& d, const float* gyt, const float* wt, float* gxp) {
  const int64_t step = d.sw * d.cp;
  for (int64_t ki = 0; ki < d.kh; ++ki) {
    for (int64_t kj = 0; kj < d.kw; ++kj) {
      const V wv = load<V>(wt + (ki * d.kw + kj) * d.cp);
      for (int64_t oy = 0; oy < d.oh; ++oy) {
        float* dr = gxp + ((oy * d.sh + ki * d.dh) * d.wp + kj * d.dw) * d.cp;
        const float* gr = gyt + oy * d.ow * d.cp;
        for (int64_t ox = 0; ox < d.ow; ++ox) {
          float* dst = dr + ox * step;
          store(dst, load<V>(dst) + wv * load<V>(gr + ox * d.cp));
        }
      }
    }
  }
}

// One image's pass over every block of channels: whole vectors, then a half one.
PT_SIMD_CLONES
void forward_image(const Dims& d, const float* xp, const float* wt, const float* bias, float* yt) {
  int64_t cb = 0;
  for (; cb + 16 <= d.cp; cb += 16) forward_block<V16>(d, xp + cb, wt + cb, bias == nullptr ? nullptr : bias + cb, yt + cb);
  for (; cb < d.cp; cb += 8) forward_block<V8>(d, xp + cb, wt + cb, bias == nullptr ? nullptr : bias + cb, yt + cb);
}

PT_SIMD_CLONES
void weight_image(const Dims& d, const float* xp, const float* gyt, float* part) {
  int64_t cb = 0;
  for (; cb + 16 <= d.cp; cb += 16) weight_block<V16>(d, xp + cb, gyt + cb, part + cb);
  for (; cb < d.cp; cb += 8) weight_block<V8>(d, xp + cb, gyt + cb, part + cb);
}

PT_SIMD_CLONES
void input_image(const Dims& d, const float* gyt, const float* wt, float* gxp) {
  int64_t cb = 0;
  for (; cb + 16 <= d.cp; cb += 16) input_block<V16>(d, gyt + cb, wt + cb, gxp + cb);
  for (; cb < d.cp; cb += 8) input_block<V8>(d, gyt + cb, wt + cb, gxp + cb);
}

// sum[j] += part[j] for j < n, in double.
PT_SIMD_CLONES
void add_to(const float* part, int64_t n, double* sum) {
  for (int64_t j = 0; j < n; ++j) sum[j] += part[j];
}

// dst (rows, cp) = src (c, rows) transposed (a row of src every src_ld floats), lanes c.. zeroed.
void to_channels_last(const float* src, int64_t c, int64_t rows, int64_t src_ld, int64_t cp, float* dst) {
  transpose(src, c, rows, src_ld, dst, cp);
  if (cp == c) return;
  for (int64_t r = 0; r < rows; ++r) std::fill(dst + r * cp + c, dst + (r + 1) * cp, 0.0f);
}

// Images narrower than this are transposed whole and then copied row by row into the padded
// buffer: a transpose of a row of a few pixels would run its scalar edge loops only.
constexpr int64_t kNarrowImage = 16;

// dst (hp, wp, Cp) = image (C, rows·cols) transposed into place (d.top, d.left), zeros around it
// (`border` false: already there, from the image before in the same buffer).
void to_padded(const float* image, int64_t c, int64_t rows, int64_t cols, const Dims& d, bool border, float* dst) {
  const int64_t row = d.wp * d.cp;
  const int64_t c0 = std::max<int64_t>(0, -d.left), c1 = std::min(cols, d.wp - d.left);
  const float* whole = nullptr;
  if (cols < kNarrowImage) {
    float* t = grow(scratch().d, rows * cols * d.cp);
    to_channels_last(image, c, rows * cols, rows * cols, d.cp, t);
    whole = t;
  }
  for (int64_t br = 0; br < d.hp; ++br) {
    float* dr = dst + br * row;
    const int64_t r = br - d.top;
    if (r < 0 || r >= rows || c0 >= c1) {
      if (border) std::fill(dr, dr + row, 0.0f);
      continue;
    }
    if (border) {
      std::fill(dr, dr + (d.left + c0) * d.cp, 0.0f);
      std::fill(dr + (d.left + c1) * d.cp, dr + row, 0.0f);
    }
    float* at = dr + (d.left + c0) * d.cp;
    if (whole != nullptr) {
      std::copy(whole + (r * cols + c0) * d.cp, whole + (r * cols + c1) * d.cp, at);
    } else {
      to_channels_last(image + r * cols + c0, c, c1 - c0, rows * cols, d.cp, at);
    }
  }
}

// wt (window taps, Cp) from w (C, T): the window's taps row-major, lanes C.. zero; with `flip`,
// in reverse order (the window turned by 180 degrees).
std::vector<float> weights_t(const float* w, const ConvGeometry& g, const Window& win, int64_t cp, bool flip) {
  const int64_t taps = g.kh * g.kw, nt = win.kh * win.kw;
  std::vector<float> all(static_cast<size_t>(taps * cp));
  to_channels_last(w, g.c, taps, taps, cp, all.data());
  std::vector<float> wt(static_cast<size_t>(std::max<int64_t>(nt, 1) * cp));
  for (int64_t t = 0; t < nt; ++t) {
    const int64_t src = (win.k0h + t / win.kw) * g.kw + win.k0w + t % win.kw;
    std::copy_n(all.begin() + src * cp, cp, wt.begin() + (flip ? nt - 1 - t : t) * cp);
  }
  return wt;
}

// Runs body(image, first) for every image over the pool, `first` for the first image of a
// thread's run of images (its scratch then needs its zero border written).
template <class F>
void for_images(const ConvGeometry& g, F body) {
  parallel_for(g.n, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) body(i, i == lo);
  });
}

}  // namespace

bool conv_depthwise_nhwc_applies(const ConvGeometry& g) {
  if (g.groups != g.c || g.o != g.c || g.c < kMinChannels || g.oh * g.ow > kMaxPositions) return false;
  const Window win = window_of(g);
  const Dims d = dims_of(g, win), gd = gather_dims(g, win);
  const int64_t sp = g.oh * g.ow, hw = g.h * g.w;
  return (d.hp * d.wp + std::max(sp, hw)) * d.cp <= kMaxImageFloats && (gd.hp * gd.wp + hw) * d.cp <= kMaxImageFloats;
}

bool conv2d_depthwise_nhwc(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const Window win = window_of(g);
  // Outside the window the reference makes 0·w, which is 0 unless w is not finite.
  const bool finite = all_finite(w, g.c * g.kh * g.kw);
  if (!win.full && !finite) return false;
  Dims d = dims_of(g, win);
  d.skip = finite;
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow;
  const std::vector<float> wt = weights_t(w, g, win, d.cp, false);
  std::vector<float> bp;
  if (bias != nullptr) {
    bp.assign(static_cast<size_t>(d.cp), 0.0f);
    std::copy(bias, bias + c, bp.begin());
  }
  for_images(g, [&](int64_t i, bool first) {
    Scratch& s = scratch();
    float* xp = grow(s.a, d.hp * d.wp * d.cp);
    float* yt = grow(s.b, sp * d.cp);
    to_padded(x + i * c * hw, c, g.h, g.w, d, first, xp);
    forward_image(d, xp, wt.data(), bias == nullptr ? nullptr : bp.data(), yt);
    transpose(yt, sp, c, d.cp, y + i * c * sp, sp);
  });
  return true;
}

void conv2d_backward_input_depthwise_nhwc(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow;
  const Window win = window_of(g);
  // The gather multiplies weights by the border's zeros, which the reference does not.
  const Dims gd = gather_dims(g, win);
  if (gd.cp > 0 && all_finite(w, c * g.kh * g.kw)) {
    const std::vector<float> wt = weights_t(w, g, win, gd.cp, true);
    for_images(g, [&](int64_t i, bool first) {
      Scratch& s = scratch();
      float* gyp = grow(s.a, gd.hp * gd.wp * gd.cp);
      float* gxt = grow(s.b, hw * gd.cp);
      to_padded(gy + i * c * sp, c, g.oh, g.ow, gd, first, gyp);
      forward_image(gd, gyp, wt.data(), nullptr, gxt);
      transpose(gxt, hw, c, gd.cp, gx + i * c * hw, hw);
    });
    return;
  }
  const Dims d = dims_of(g, win);
  const std::vector<float> wt = weights_t(w, g, win, d.cp, false);
  for_images(g, [&](int64_t i, bool) {
    Scratch& s = scratch();
    float* gyt = grow(s.a, sp * d.cp);
    float* gxp = grow(s.b, d.hp * d.wp * d.cp);
    to_channels_last(gy + i * c * sp, c, sp, sp, d.cp, gyt);
    std::fill(gxp, gxp + d.hp * d.wp * d.cp, 0.0f);
    input_image(d, gyt, wt.data(), gxp);
    // Back from the buffer: the image's pixels inside it (the others received nothing).
    float* gxi = gx + i * c * hw;
    const int64_t c0 = std::max<int64_t>(0, -d.left), c1 = std::min(g.w, d.wp - d.left);
    for (int64_t iy = 0; iy < g.h; ++iy) {
      const int64_t br = d.top + iy;
      if (br < 0 || br >= d.hp || c0 >= c1) {
        for (int64_t ch = 0; ch < c; ++ch) std::fill_n(gxi + ch * hw + iy * g.w, g.w, 0.0f);
        continue;
      }
      for (int64_t ch = 0; ch < c; ++ch) {
        std::fill_n(gxi + ch * hw + iy * g.w, c0, 0.0f);
        std::fill(gxi + ch * hw + iy * g.w + c1, gxi + ch * hw + (iy + 1) * g.w, 0.0f);
      }
      transpose(gxp + (br * d.wp + d.left + c0) * d.cp, c1 - c0, c, d.cp, gxi + iy * g.w + c0, hw);
    }
  });
}

bool conv2d_backward_weight_depthwise_nhwc(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Window win = window_of(g);
  const int64_t c = g.c, hw = g.h * g.w, sp = g.oh * g.ow, taps = g.kh * g.kw;
  // Outside the window the reference makes gy·0, which is 0 unless gy is not finite.
  if (!win.full && !all_finite(gy, g.n * c * sp)) return false;
  const Dims d = dims_of(g, win);
  const int64_t nt = win.kh * win.kw, nw = nt * d.cp;
  const int64_t tasks = std::min<int64_t>(std::max<int64_t>(g.n, 1), accumulator_tasks(g.n));
  std::vector<double> acc(static_cast<size_t>(std::max<int64_t>(tasks * nw, 1)), 0.0);
  run_tasks(tasks, [&](int64_t task) {
    Scratch& s = scratch();
    float* xp = grow(s.a, d.hp * d.wp * d.cp);
    float* gyt = grow(s.b, sp * d.cp);
    float* part = grow(s.c, std::max<int64_t>(nw, 1));
    double* sum = acc.data() + task * nw;
    const int64_t i0 = g.n * task / tasks;
    for (int64_t i = i0; i < g.n * (task + 1) / tasks; ++i) {
      to_padded(x + i * c * hw, c, g.h, g.w, d, i == i0, xp);
      to_channels_last(gy + i * c * sp, c, sp, sp, d.cp, gyt);
      weight_image(d, xp, gyt, part);
      add_to(part, nw, sum);
    }
  });
  for (int64_t task = 1; task < tasks; ++task) {
    const double* src = acc.data() + task * nw;
    for (int64_t j = 0; j < nw; ++j) acc[static_cast<size_t>(j)] += src[j];
  }
  std::fill(gw, gw + c * taps, 0.0f);
  for (int64_t ch = 0; ch < c; ++ch) {
    for (int64_t t = 0; t < nt; ++t) {
      const int64_t tap = (win.k0h + t / win.kw) * g.kw + win.k0w + t % win.kw;
      gw[ch * taps + tap] = static_cast<float>(acc[static_cast<size_t>(t * d.cp + ch)]);
    }
  }
  return true;
}

}  // namespace pt
