// The forward pass and (at stride 1) the input gradient of ungrouped convolutions on small maps
// (ResNet-18's 8x8 and 7x7 stages) as direct sums of outer products: yᵀ (positions, O) = Σ over
// taps of the values of x a tap reads at a run of positions ⊗ that tap's row of wᵀ; no row
// matrix is built, and the taps that read only padding at a run's positions are skipped.
//
// Example:
//   if (!pt::conv2d_direct(x, w, bias, y, g)) { /* another path */ }
//   if (!pt::conv2d_backward_input_direct(gy, w, gx, g)) { /* another path */ }
#pragma once

#include "conv.h"

namespace pt {

// Whether conv2d_direct takes g: ungrouped, undilated, strides up to 4, on a CPU with AVX-512;
// at least 16 input channels, a kernel larger than 1x1, an output map of at most 64 positions in
// rows of at least 7.
bool conv_direct_applies(const ConvGeometry& g);

// y = conv(x, w) + bias (bias may be null; y overwritten) for a geometry conv_direct_applies
// accepts; false (y untouched) for any other.
bool conv2d_direct(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

// gx = dL/dx (overwrites gx) for a stride-1 geometry whose transposed layer (gy's O channels
// in, C out, padding K−1−pad) conv_direct_applies accepts; false (gx untouched) for any other.
bool conv2d_backward_input_direct(const float* gy, const float* w, float* gx, const ConvGeometry& g);

}  // namespace pt
