// Convolution by im2row over the whole batch, channels innermost: the path of conv.cpp for
// ungrouped convolutions with output maps up to 8x8 (a ResNet's stages at 32x32 input, their
// stride-2 entries). Same contracts as conv.h.
//
// Example:
//   if (conv_rows_applies(g)) conv2d_rows(x, w, bias, y, g);
#pragma once

#include "conv.h"

namespace pt {

// One group, at least 16 channels, an output map of at most 64 positions and at most 4 input
// pixels an output position.
bool conv_rows_applies(const ConvGeometry& g);

void conv2d_rows(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_rows(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw only (overwritten).
void conv2d_backward_weight_rows(const float* gy, const float* x, float* gw, const ConvGeometry& g);

}  // namespace pt
