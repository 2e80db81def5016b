// 2-D pooling: max, average and adaptive average, forward and backward. x is (N,C,H,W) and
// y is (N,C,OH,OW); every kernel handles one (n,c) plane at a time and checks each window cell
// against the image, so any output size is safe.
#pragma once

#include <cstdint>

namespace pt {

struct PoolGeometry {
  int64_t n, c, h, w, oh, ow, kh, kw, stride_h, stride_w, pad_h, pad_w;
  bool count_include_pad;  // avg pooling divides by kh*kw even at padded borders
};

// y = max over each window; argmax = flat index within the (n,c) plane of x of that max (the first
// one; the first NaN wins), -1 (and y = -inf) when the window is all padding.
void max_pool2d(const float* x, float* y, int32_t* argmax, const PoolGeometry& g);

// gx = gy routed through argmax (summed where windows overlap; entries < 0 are skipped), 0 elsewhere.
// Overwrites gx.
void max_pool2d_backward(const float* gy, const int32_t* argmax, float* gx, const PoolGeometry& g);

void avg_pool2d(const float* x, float* y, const PoolGeometry& g);

// gx must be zero-filled.
void avg_pool2d_backward(const float* gy, float* gx, const PoolGeometry& g);

// Output cell i spans [floor(i*H/OH), ceil((i+1)*H/OH)) (PyTorch's adaptive pooling).
void adaptive_avg_pool2d(const float* x, int64_t n, int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow, float* y);

// gx must be zero-filled.
void adaptive_avg_pool2d_backward(const float* gy, int64_t n, int64_t c, int64_t h, int64_t w, int64_t oh, int64_t ow, float* gx);

}  // namespace pt
