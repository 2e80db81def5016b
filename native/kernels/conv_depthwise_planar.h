// Depthwise convolution in the planes' own layout (N·C planes of H·W floats), channel multiplier 1:
// at stride 1 with the output as wide as the input every kernel tap reads the input plane at one
// fixed offset from the output position, so 16 output positions take one masked AVX-512 load (or
// a VALIGND of chunks in registers) and one multiply-add a tap, with no transpose to channels-last
// and no padded copy; 3x3 stride 2 from rows 16 wide picks its inputs with VPERMT2PS. Same
// contracts as conv_depthwise.h, without declining: every pass is the reference's up to rounding,
// infinities and NaNs included. Only where the CPU has AVX-512 (else conv_depthwise_nhwc.cpp).
//
// Example:
//   if (conv_depthwise_planar_applies(g, false)) conv2d_depthwise_planar(x, w, bias, y, g);
#pragma once

#include "conv.h"

namespace pt {

// AVX-512, multiplier 1, a 3x3 or 5x5 kernel, and: stride 1 with ow == w and at least 16 output
// positions a plane; or (not for the weight gradient, weight_grad false) stride 1 on planes of 2, 4
// or 8 positions in and out, C·H·W a multiple of 16; or 3x3 stride 2, padding 1, rows 16 wide.
bool conv_depthwise_planar_applies(const ConvGeometry& g, bool weight_grad);

void conv2d_depthwise_planar(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_depthwise_planar(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// Each tap sums runs of images in float (at most 64 products a lane), the runs in double; gb (the
// bias gradient, when not null) is summed in the same pass over gy.
void conv2d_backward_weight_depthwise_planar(const float* gy, const float* x, float* gw, float* gb,
                                             const ConvGeometry& g);

}  // namespace pt
