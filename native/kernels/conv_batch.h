// Convolution by im2col over the whole batch, one GEMM for all images (see conv_batch.cpp): the
// path conv.cpp takes for small feature maps and strided convolutions. Same contracts as the
// functions of conv.h; any geometry is accepted.
#pragma once

#include "conv.h"

namespace pt {

void conv2d_batch(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

void conv2d_backward_input_batch(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw only (overwritten); the bias gradient is conv.cpp's.
void conv2d_backward_weight_batch(const float* gy, const float* x, float* gw, const ConvGeometry& g);

}  // namespace pt
