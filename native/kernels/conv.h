// 2-D convolution, with stride, padding, dilation and groups; conv.cpp picks a path per geometry.
// x is (N,C,H,W), w is (O,C/groups,KH,KW), y is (N,O,OH,OW); bias and gb are (O,).
// Reads of x outside the image count as zero (padding), so any output size is safe.
#pragma once

#include <cstdint>

namespace pt {

struct ConvGeometry {
  int64_t n, c, h, w, o, kh, kw, oh, ow;
  int64_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups;
};

// y = conv2d(x, w) + bias (bias may be null). Overwrites y.
void conv2d(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

// gx = dL/dx given gy (N,O,OH,OW). Overwrites gx.
void conv2d_backward_input(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw = dL/dw (overwrites gw); gb = dL/dbias when gb is not null (overwrites gb).
void conv2d_backward_weight(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g);

}  // namespace pt
