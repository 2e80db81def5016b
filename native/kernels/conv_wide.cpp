// Stride-1 convolution by im2col + GEMM on the "wide" grid.
//
// Each image is copied into a zero-bordered buffer of hp x wp = (H+2·pad_h) x (W+2·pad_w) per
// channel, and outputs are computed at every column of that width: output (oy, ox) sits at wide
// column oy·wp + ox, and columns with ox >= OW are garbage that is dropped. On this grid the im2col
// row of tap (c,ki,kj) is one contiguous run of OH·wp floats of the padded image, starting at
// c·plane + ki·dil_h·wp + kj·dil_w: im2col is a memcpy per tap (instead of a tiny copy per tap and
// output row) and col2im one vector add per tap. A run may pass the end of its channel's plane, but
// only in garbage columns (a valid column never wraps, as ox + kj·dil_w < wp), so the buffer needs
// just dil_w·(kw−1) floats of slack after its last plane.
//
// Several images share one GEMM, side by side along the columns, so the weights are packed once
// per chunk instead of once per image and the GEMM's column panels are full.
//
// Garbage columns must add nothing where they meet real data: gy is copied onto the wide grid with
// zeros there (backward input and weight); the weight gradient's im2col holds image values there,
// cleared when an image is not finite (0·inf would be NaN); backward input's col = wᵀ·gy is zero
// there when w is finite, and cleared otherwise.
#include "conv_wide.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv_util.h"
#include "gemm.h"
#include "storage_pool.h"

namespace pt {
namespace {

using namespace conv_util;

struct Wide {
  int64_t cg, og, kk;  // input and output channels per group; taps per output channel
  int64_t hp, wp;      // padded image
  int64_t plane;       // hp·wp
  int64_t cols;        // wide columns per image: OH·wp
  int64_t pad_size;    // the padded image of one group: cg planes plus slack
  int64_t hw, sp;      // input and output positions per channel
  int64_t per_image;   // working floats per image: col plus the GEMM's other wide operand
};

Wide wide_of(const ConvGeometry& g) {
  Wide d{};
  d.cg = g.c / g.groups;
  d.og = g.o / g.groups;
  d.kk = d.cg * g.kh * g.kw;
  d.hp = g.h + 2 * g.pad_h;
  d.wp = g.w + 2 * g.pad_w;
  d.plane = d.hp * d.wp;
  d.cols = g.oh * d.wp;
  d.pad_size = d.cg * d.plane + g.dilation_w * (g.kw - 1);
  d.hw = g.h * g.w;
  d.sp = g.oh * g.ow;
  d.per_image = (d.kk + d.og) * d.cols;
  return d;
}

// x (cg, H, W) of one image-group → the interior of pad, whose borders and slack are zeroed.
void pad_image(const float* x, const ConvGeometry& g, const Wide& d, float* pad) {
  std::fill(pad, pad + d.pad_size, 0.0f);
  for (int64_t c = 0; c < d.cg; ++c) {
    for (int64_t iy = 0; iy < g.h; ++iy) {
      std::memcpy(pad + c * d.plane + (iy + g.pad_h) * d.wp + g.pad_w, x + (c * g.h + iy) * g.w,
                  static_cast<size_t>(g.w) * sizeof(float));
    }
  }
}

// The taps' rows of col (row stride ld): OH·wp floats of pad each.
void im2col_wide(const float* pad, const ConvGeometry& g, const Wide& d, float* col, int64_t ld) {
  for (int64_t c = 0; c < d.cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, col += ld) {
        const float* src = pad + c * d.plane + ki * g.dilation_h * d.wp + kj * g.dilation_w;
        std::memcpy(col, src, static_cast<size_t>(d.cols) * sizeof(float));
      }
    }
  }
}

// The adjoint of im2col_wide: adds the taps' rows of col onto pad.
void col2im_wide(const float* col, int64_t ld, const ConvGeometry& g, const Wide& d, float* pad) {
  for (int64_t c = 0; c < d.cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, col += ld) {
        float* dst = pad + c * d.plane + ki * g.dilation_h * d.wp + kj * g.dilation_w;
        for (int64_t s = 0; s < d.cols; ++s) dst[s] += col[s];
      }
    }
  }
}

// Zeros the garbage columns of `rows` rows (stride ld) of `images` images' wide columns.
void clear_garbage(float* m, int64_t rows, int64_t ld, int64_t images, const ConvGeometry& g, const Wide& d) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < images; ++j) {
      float* row = m + r * ld + j * d.cols;
      for (int64_t oy = 0; oy < g.oh; ++oy) std::fill(row + oy * d.wp + g.ow, row + (oy + 1) * d.wp, 0.0f);
    }
  }
}

// gy (og, OH, OW) of one image-group → og rows (stride ld) of wide columns, zero in garbage ones.
void widen(const float* gy, const ConvGeometry& g, const Wide& d, float* dst, int64_t ld) {
  for (int64_t o = 0; o < d.og; ++o) {
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      float* t = dst + o * ld + oy * d.wp;
      std::memcpy(t, gy + (o * g.oh + oy) * g.ow, static_cast<size_t>(g.ow) * sizeof(float));
      std::fill(t + g.ow, t + d.wp, 0.0f);
    }
  }
}

// The valid columns of og wide rows (stride ld) → y (og, OH, OW), plus bias (og) when given.
PT_SIMD_CLONES void narrow(const float* __restrict src, int64_t ld, const float* bias, const ConvGeometry& g,
                           const Wide& d, float* __restrict y) {
  const int64_t og = d.og, oh = g.oh, ow = g.ow, wp = d.wp;
  for (int64_t o = 0; o < og; ++o) {
    const float b = bias == nullptr ? 0.0f : bias[o];  // 0 without a bias, as in the reference
    for (int64_t oy = 0; oy < oh; ++oy) {
      const float* s = src + o * ld + oy * wp;
      float* t = y + (o * oh + oy) * ow;
      for (int64_t ox = 0; ox < ow; ++ox) t[ox] = s[ox] + b;
    }
  }
}

}  // namespace

bool conv_wide_applies(const ConvGeometry& g) {
  const bool pointwise = g.kh == 1 && g.kw == 1 && g.pad_h == 0 && g.pad_w == 0;
  return g.stride_h == 1 && g.stride_w == 1 && !pointwise && g.oh >= 1 && g.ow >= 1 &&
         g.oh == g.h + 2 * g.pad_h - g.dilation_h * (g.kh - 1) &&
         g.ow == g.w + 2 * g.pad_w - g.dilation_w * (g.kw - 1);
}

void conv2d_wide(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  const Wide d = wide_of(g);
  for_chunks(g.n, images_per_chunk(g.n, d.per_image, num_threads()), [&](int64_t i0, int64_t nb) {
    Scratch& s = scratch();
    const int64_t ld = nb * d.cols;
    float* pad = grow(s.a, d.pad_size);
    float* col = grow(s.b, d.kk * ld);
    float* out = grow(s.c, d.og * ld);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      for (int64_t j = 0; j < nb; ++j) {
        pad_image(x + ((i0 + j) * g.c + gr * d.cg) * d.hw, g, d, pad);
        im2col_wide(pad, g, d, col + j * d.cols, ld);
      }
      sgemm(false, false, d.og, ld, d.kk, w + gr * d.og * d.kk, d.kk, col, ld, out, ld, false);
      for (int64_t j = 0; j < nb; ++j) {
        narrow(out + j * d.cols, ld, bias == nullptr ? nullptr : bias + gr * d.og, g, d,
               y + ((i0 + j) * g.o + gr * d.og) * d.sp);
      }
    }
  });
}

void conv2d_backward_input_wide(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  const Wide d = wide_of(g);
  const bool w_finite = all_finite(w, g.o * d.kk);
  for_chunks(g.n, images_per_chunk(g.n, d.per_image, num_threads()), [&](int64_t i0, int64_t nb) {
    Scratch& s = scratch();
    const int64_t ld = nb * d.cols;
    float* pad = grow(s.a, d.pad_size);
    float* col = grow(s.b, d.kk * ld);
    float* gyw = grow(s.c, d.og * ld);
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      for (int64_t j = 0; j < nb; ++j) widen(gy + ((i0 + j) * g.o + gr * d.og) * d.sp, g, d, gyw + j * d.cols, ld);
      sgemm(true, false, d.kk, ld, d.og, w + gr * d.og * d.kk, d.kk, gyw, ld, col, ld, false);
      if (!w_finite) clear_garbage(col, d.kk, ld, nb, g, d);
      for (int64_t j = 0; j < nb; ++j) {
        std::fill(pad, pad + d.pad_size, 0.0f);
        col2im_wide(col + j * d.cols, ld, g, d, pad);
        float* gxg = gx + ((i0 + j) * g.c + gr * d.cg) * d.hw;
        for (int64_t c = 0; c < d.cg; ++c) {
          for (int64_t iy = 0; iy < g.h; ++iy) {
            std::memcpy(gxg + (c * g.h + iy) * g.w, pad + c * d.plane + (iy + g.pad_h) * d.wp + g.pad_w,
                        static_cast<size_t>(g.w) * sizeof(float));
          }
        }
      }
    }
  });
}

void conv2d_backward_weight_wide(const float* gy, const float* x, float* gw, const ConvGeometry& g) {
  const Wide d = wide_of(g);
  const int64_t wsize = g.o * d.kk;
  // Each task sums its images' gradient into its own accumulator, transposed: (group, tap, og),
  // since the GEMM then has the long side (taps) as rows and og as columns, which fill the
  // micro-tiles better than og rows and few taps (9 for a 3x3 kernel on one channel).
  const int64_t tasks = accumulator_tasks(g.n);
  const int64_t nb = images_per_chunk(g.n, d.per_image, tasks);
  PooledFloats acc(tasks * wsize, true);  // pooled: reuses the previous call's pages
  auto run_task = [&](int64_t t) {
    Scratch& s = scratch();
    float* at = acc.data() + t * wsize;
    for (int64_t i0 = g.n * t / tasks, end = g.n * (t + 1) / tasks; i0 < end; i0 += nb) {
      const int64_t cnt = std::min(nb, end - i0);
      const int64_t ld = cnt * d.cols;
      float* pad = grow(s.a, d.pad_size);
      float* col = grow(s.b, d.kk * ld);
      float* gyw = grow(s.c, d.og * ld);
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        for (int64_t j = 0; j < cnt; ++j) {
          const float* xg = x + ((i0 + j) * g.c + gr * d.cg) * d.hw;
          pad_image(xg, g, d, pad);
          im2col_wide(pad, g, d, col + j * d.cols, ld);
          if (!all_finite(xg, d.cg * d.hw)) clear_garbage(col + j * d.cols, d.kk, ld, 1, g, d);
          widen(gy + ((i0 + j) * g.o + gr * d.og) * d.sp, g, d, gyw + j * d.cols, ld);
        }
        sgemm(false, true, d.kk, d.og, ld, col, ld, gyw, ld, at + gr * d.kk * d.og, d.og, true);
      }
    }
  };
  run_tasks(tasks, run_task);
  add_accumulators(acc.data(), acc.data() + wsize, tasks - 1, wsize);
  for (int64_t gr = 0; gr < g.groups; ++gr) {
    for (int64_t o = 0; o < d.og; ++o) {
      for (int64_t p = 0; p < d.kk; ++p) gw[(gr * d.og + o) * d.kk + p] = acc[static_cast<size_t>((gr * d.kk + p) * d.og + o)];
    }
  }
}

}  // namespace pt
