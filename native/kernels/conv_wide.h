// Stride-1 convolution on the padded ("wide") grid, the fast path of conv.cpp (which picks it);
// see conv_wide.cpp. Same contracts as the functions of conv.h.
#pragma once

#include "conv.h"

namespace pt {

// Stride 1, not pointwise, and OH, OW the standard output size (so every window lies in the padded image).
bool conv_wide_applies(const ConvGeometry& g);

void conv2d_wide(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_wide(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw only (overwritten); the bias gradient is conv.cpp's.
void conv2d_backward_weight_wide(const float* gy, const float* x, float* gw, const ConvGeometry& g);

}  // namespace pt
