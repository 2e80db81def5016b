// Phase planes: a padded image split by the stride, so that along an output row every kernel tap
// reads consecutive floats. For strides (sh, sw) the padded image splits into sh·sw planes, plane
// (a, b) holding the padded pixels at rows ≡ a (mod sh) and columns ≡ b (mod sw), hq x wq each
// (hq = OH + (KH−1)/sh, wq = OW + (KW−1)/sw); tap (c, ki, kj) reads its plane (ki mod sh, kj mod
// sw) at row oy + ki/sh, column ox + kj/sw (stride 1: the plane is the zero-bordered image). Used
// by the direct kernels (conv_wgrad_direct.cpp, conv_direct.cpp), which read their A or B
// panel in place from the planes instead of building a column matrix.
//
// Example:
//   const PhaseGeometry pg = phase_geometry(g);
//   phase_planes(x_image, g, pg, q);                 // q: g.c·pg.sh·pg.sw·pg.plane floats
//   float v = q[tap_offset(g, pg, c, ki, kj) + oy * pg.wq + ox];   // x under tap (c, ki, kj) at (oy, ox)
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include "conv.h"

namespace pt {
namespace conv_util {

struct PhaseGeometry {
  int64_t sh, sw, hq, wq, plane;  // strides; one phase plane, hq x wq floats
};

inline PhaseGeometry phase_geometry(const ConvGeometry& g) {
  PhaseGeometry p{};
  p.sh = g.stride_h;
  p.sw = g.stride_w;
  p.hq = g.oh + (g.kh - 1) / p.sh;
  p.wq = g.ow + (g.kw - 1) / p.sw;
  p.plane = p.hq * p.wq;
  return p;
}

// The first float tap (c, ki, kj) reads, at output position (0, 0), in the planes.
inline int64_t tap_offset(const ConvGeometry& g, const PhaseGeometry& p, int64_t c, int64_t ki, int64_t kj) {
  const int64_t phase = (c * p.sh + ki % p.sh) * p.sw + kj % p.sw;
  return phase * p.plane + (ki / p.sh) * p.wq + kj / p.sw;
}

// The outputs [lo, hi) along one axis (n of them, stride s, padding pad, input size len) at which
// some kernel offset in [k0, k1] reads inside the input: s·o + k − pad in [0, len).
inline std::pair<int64_t, int64_t> reach(int64_t n, int64_t s, int64_t pad, int64_t len, int64_t k0, int64_t k1) {
  const int64_t lo = pad - k1 <= 0 ? 0 : (pad - k1 + s - 1) / s;
  const int64_t last = len - 1 + pad - k0;  // s·o ≤ last
  const int64_t hi = last < 0 ? lo : std::min(n, last / s + 1);
  return {lo, std::max(lo, hi)};
}

// One image's x (C, H, W) → its phase planes q (C, sh, sw, hq, wq), zero where the padding is
// (conv_phase_planes.cpp).
void phase_planes(const float* x, const ConvGeometry& g, const PhaseGeometry& p, float* q);

}  // namespace conv_util
}  // namespace pt
