// Convolution. For one image and group the column matrix col is (C/groups·KH·KW, OH·OW), row
// (c,ki,kj) holding the input pixels that kernel tap meets at every output position, so
//   forward:          y_g (og,sp)  = w_g (og,kk) · col (kk,sp)
//   backward input:   col          = w_gᵀ (kk,og) · gy_g (og,sp), then col2im adds it back
//   backward weight:  gw_g (og,kk) += gy_g (og,sp) · colᵀ (sp,kk)
// 3x3 stride-1 convolutions with enough channels go through Winograd's algorithm (conv_winograd.cpp;
// when an input is not finite, the wide path redoes them), other stride-1 ones through the faster
// layout of conv_wide.cpp; this file keeps the general case (strides, odd output sizes) and the
// pointwise one, where a 1x1, stride-1, unpadded convolution
// uses the image itself as col. With at least as many images as threads, each thread takes whole
// images (the GEMMs inside then run single-threaded); otherwise images go one by one through the
// multithreaded GEMM.
#include "conv.h"

#include <algorithm>
#include <vector>

#include "conv_wide.h"
#include "conv_winograd.h"
#include "gemm.h"
#include "parallel.h"

namespace pt {
namespace {

struct Dims {
  int64_t cg, og, kk, sp, hw;
};

Dims dims_of(const ConvGeometry& g) {
  const int64_t cg = g.c / g.groups;
  return {cg, g.o / g.groups, cg * g.kh * g.kw, g.oh * g.ow, g.h * g.w};
}

bool is_pointwise(const ConvGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.oh == g.h && g.ow == g.w;
}

int64_t ceil_div(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// Output columns [lo, hi) whose input column ox*stride + off lies inside [0, w).
void valid_columns(const ConvGeometry& g, int64_t off, int64_t* lo, int64_t* hi) {
  *lo = std::min(ceil_div(-off, g.stride_w), g.ow);
  *hi = std::max(*lo, std::min(ceil_div(g.w - off, g.stride_w), g.ow));
}

// x: (cg, H, W) of one image and group -> col (cg·KH·KW, OH·OW).
void im2col(const float* x, int64_t cg, const ConvGeometry& g, float* col) {
  const int64_t sp = g.oh * g.ow;
  for (int64_t c = 0; c < cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, col += sp) {
        const int64_t off = kj * g.dilation_w - g.pad_w;
        int64_t lo, hi;
        valid_columns(g, off, &lo, &hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          float* dst = col + oy * g.ow;
          const int64_t iy = oy * g.stride_h - g.pad_h + ki * g.dilation_h;
          if (iy < 0 || iy >= g.h) {
            std::fill(dst, dst + g.ow, 0.0f);
            continue;
          }
          const float* src = x + (c * g.h + iy) * g.w;
          std::fill(dst, dst + lo, 0.0f);
          if (g.stride_w == 1) {
            std::copy(src + off + lo, src + off + hi, dst + lo);
          } else {
            for (int64_t ox = lo; ox < hi; ++ox) dst[ox] = src[ox * g.stride_w + off];
          }
          std::fill(dst + hi, dst + g.ow, 0.0f);
        }
      }
    }
  }
}

// The adjoint of im2col: adds col (cg·KH·KW, OH·OW) into gx (cg, H, W).
void col2im(const float* col, int64_t cg, const ConvGeometry& g, float* gx) {
  const int64_t sp = g.oh * g.ow;
  for (int64_t c = 0; c < cg; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj, col += sp) {
        const int64_t off = kj * g.dilation_w - g.pad_w;
        int64_t lo, hi;
        valid_columns(g, off, &lo, &hi);
        for (int64_t oy = 0; oy < g.oh; ++oy) {
          const int64_t iy = oy * g.stride_h - g.pad_h + ki * g.dilation_h;
          if (iy < 0 || iy >= g.h) continue;
          const float* src = col + oy * g.ow;
          float* dst = gx + (c * g.h + iy) * g.w;
          for (int64_t ox = lo; ox < hi; ++ox) dst[ox * g.stride_w + off] += src[ox];
        }
      }
    }
  }
}

// A column buffer per thread, grown on demand.
float* col_buffer(size_t floats) {
  thread_local std::vector<float> buf;
  if (buf.size() < floats) buf.resize(floats);
  return buf.data();
}

// Runs per_image(i) for every image: whole images per thread when there are enough of them.
template <class F>
void for_images(const ConvGeometry& g, F per_image) {
  if (g.n >= num_threads()) {
    parallel_tasks(g.n, per_image);
  } else {
    for (int64_t i = 0; i < g.n; ++i) per_image(i);
  }
}

// gb[o] = the sum of gy over images and positions, in double like the reference, with eight
// partial sums per row: one chain of dependent adds would be bound by the add latency.
void bias_grad(const float* gy, float* gb, const ConvGeometry& g) {
  constexpr int kLanes = 8;
  const int64_t sp = g.oh * g.ow;
  parallel_for(g.o, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(g.n * sp, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t o = lo; o < hi; ++o) {
      double part[kLanes] = {};
      double tail = 0.0;
      for (int64_t i = 0; i < g.n; ++i) {
        const float* row = gy + (i * g.o + o) * sp;
        int64_t j = 0;
        for (; j + kLanes <= sp; j += kLanes) {
          for (int l = 0; l < kLanes; ++l) part[l] += row[j + l];
        }
        for (; j < sp; ++j) tail += row[j];
      }
      double sum = tail;
      for (double v : part) sum += v;
      gb[o] = static_cast<float>(sum);
    }
  });
}

}  // namespace

void conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g) {
  if (conv_winograd_applies(g) && conv2d_winograd(x, w, bias, y, g)) return;
  if (conv_wide_applies(g)) return conv2d_wide(x, w, bias, y, g);
  const Dims d = dims_of(g);
  const bool pointwise = is_pointwise(g);
  for_images(g, [&](int64_t i) {
    float* col = pointwise ? nullptr : col_buffer(static_cast<size_t>(d.kk * d.sp));
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* xg = x + (i * g.c + gr * d.cg) * d.hw;
      const float* cm = xg;
      if (!pointwise) {
        im2col(xg, d.cg, g, col);
        cm = col;
      }
      float* yg = y + (i * g.o + gr * d.og) * d.sp;
      sgemm(false, false, d.og, d.sp, d.kk, w + gr * d.og * d.kk, d.kk, cm, d.sp, yg, d.sp, false);
      if (bias != nullptr) {
        for (int64_t o = 0; o < d.og; ++o) {
          const float bv = bias[gr * d.og + o];
          float* row = yg + o * d.sp;
          for (int64_t s = 0; s < d.sp; ++s) row[s] += bv;
        }
      }
    }
  });
}

void conv2d_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g) {
  if (conv_winograd_applies(g) && conv2d_backward_input_winograd(gy, w, gx, g)) return;
  if (conv_wide_applies(g)) return conv2d_backward_input_wide(gy, w, gx, g);
  const Dims d = dims_of(g);
  const bool pointwise = is_pointwise(g);
  for_images(g, [&](int64_t i) {
    float* gxi = gx + i * g.c * d.hw;
    if (!pointwise) std::fill(gxi, gxi + g.c * d.hw, 0.0f);
    float* col = pointwise ? nullptr : col_buffer(static_cast<size_t>(d.kk * d.sp));
    for (int64_t gr = 0; gr < g.groups; ++gr) {
      const float* gyg = gy + (i * g.o + gr * d.og) * d.sp;
      float* gxg = gxi + gr * d.cg * d.hw;
      // Pointwise: the column matrix is gx itself, written directly.
      float* dst = pointwise ? gxg : col;
      sgemm(true, false, d.kk, d.sp, d.og, w + gr * d.og * d.kk, d.kk, gyg, d.sp, dst, d.sp, false);
      if (!pointwise) col2im(col, d.cg, g, gxg);
    }
  });
}

void conv2d_backward_weight(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g) {
  if (gb != nullptr) bias_grad(gy, gb, g);
  if (conv_winograd_applies(g) && conv2d_backward_weight_winograd(gy, x, gw, g)) return;
  if (conv_wide_applies(g)) return conv2d_backward_weight_wide(gy, x, gw, g);
  const Dims d = dims_of(g);
  const bool pointwise = is_pointwise(g);
  const int64_t wsize = g.o * d.kk;
  // Images are split into chunks; each chunk sums its images' gradients into its own buffer
  // (chunk 0 straight into gw), and the buffers are added up at the end.
  const int64_t chunks = g.n >= num_threads() ? num_threads() : 1;
  std::vector<float> extra(static_cast<size_t>((chunks - 1) * wsize));
  std::fill(gw, gw + wsize, 0.0f);
  auto run_chunk = [&](int64_t t) {
    float* acc = t == 0 ? gw : extra.data() + (t - 1) * wsize;
    float* col = pointwise ? nullptr : col_buffer(static_cast<size_t>(d.kk * d.sp));
    for (int64_t i = g.n * t / chunks; i < g.n * (t + 1) / chunks; ++i) {
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const float* xg = x + (i * g.c + gr * d.cg) * d.hw;
        const float* cm = xg;
        if (!pointwise) {
          im2col(xg, d.cg, g, col);
          cm = col;
        }
        const float* gyg = gy + (i * g.o + gr * d.og) * d.sp;
        sgemm(false, true, d.og, d.kk, d.sp, gyg, d.sp, cm, d.sp, acc + gr * d.og * d.kk, d.kk, true);
      }
    }
  };
  if (chunks > 1) {
    parallel_tasks(chunks, run_chunk);
  } else {
    run_chunk(0);
  }
  for (int64_t t = 1; t < chunks; ++t) {
    const float* src = extra.data() + (t - 1) * wsize;
    for (int64_t j = 0; j < wsize; ++j) gw[j] += src[j];
  }
}

}  // namespace pt
