// Depthwise convolution (one input channel a group: groups == C, any multiplier O/C) by direct
// loops, the path conv.cpp takes for MobileNet-style layers, where im2col would run one tiny GEMM
// per channel. Same contracts as conv.h; see conv_depthwise.cpp for when a call declines.
#pragma once

#include "conv.h"

namespace pt {

bool conv_depthwise_applies(const ConvGeometry& g);

// False (nothing written) when w holds an infinity or NaN and neither the planes' path nor the
// channels-innermost one applies: the reference multiplies every weight by the zeros of the padding, which the direct
// loops skip, so the caller takes another path.
bool conv2d_depthwise(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_depthwise(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw only (overwritten); false (nothing written) when gy holds an infinity or NaN, as above.
bool conv2d_backward_weight_depthwise(const float* gy, const float* x, float* gw, const ConvGeometry& g);

// gw and gb (when not null) in one pass over gy, where the planes' path applies (multiplier 1,
// stride 1, "same" width, AVX-512: conv_depthwise_planar.h); else false, nothing written.
bool conv2d_backward_weight_bias_depthwise(const float* gy, const float* x, float* gw, float* gb,
                                           const ConvGeometry& g);

}  // namespace pt
