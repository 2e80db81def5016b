// Depthwise convolution with the channels innermost: each image's planes are transposed to
// (H·W, C) in per-thread scratch, so that every (position, tap) pair is one multiply-add along C
// (vectorised), instead of a few scalar products per plane. The path of conv_depthwise.cpp for a
// channel multiplier of 1 (O == C, MobileNet's layers). Same contracts as conv_depthwise.h.
//
// Example:
//   if (conv_depthwise_nhwc_applies(g)) conv2d_depthwise_nhwc(x, w, bias, y, g);
#pragma once

#include "conv.h"

namespace pt {

// Multiplier 1, at least 16 channels, at most 32x32 output positions, and an image small enough
// for the per-thread scratch.
bool conv_depthwise_nhwc_applies(const ConvGeometry& g);

// The passes skip the kernel's taps that meet only padding (the reference multiplies them by its
// zeros). The forward pass declines (false, nothing written) when there are such taps and w holds
// an infinity or NaN, the weight gradient likewise when gy does; otherwise every result is the
// reference's up to rounding, infinities and NaNs included.
bool conv2d_depthwise_nhwc(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_depthwise_nhwc(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// Each tap sums an image in float and the images in double.
bool conv2d_backward_weight_depthwise_nhwc(const float* gy, const float* x, float* gw, const ConvGeometry& g);

}  // namespace pt
