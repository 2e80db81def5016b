// The forward pass and the input gradient of ungrouped convolutions on small maps (ResNet-18's
// 8x8 and 7x7 stages), strided layers and first layers as direct sums of outer products: yᵀ
// (positions, channels) = Σ over taps of the values a tap reads at a run of positions ⊗ that
// tap's row of the weights; no row matrix is built, and the taps that read only padding at a
// run's positions are skipped.
//
// Example:
//   if (!pt::conv2d_direct(x, w, bias, y, g)) { /* another path */ }
//   if (!pt::conv2d_backward_input_direct(gy, w, gx, g)) { /* another path */ }
#pragma once

#include "conv.h"

namespace pt {

// Whether conv2d_direct takes g: ungrouped, undilated, strides up to 4, a kernel larger than 1x1
// (at most 64 taps high and wide), on a CPU with AVX-512; output rows of at least 7 positions (2
// for strided layers of at most 64); at least 16 input channels and at most 64 output positions,
// or strided up to 4,096; or a first layer (fewer channels, at least 48 taps a filter; not a 3x3
// stride-1 layer Winograd takes) of at most 256 positions, strided 16,384.
bool conv_direct_applies(const ConvGeometry& g);

// y = conv(x, w) + bias (bias may be null; y overwritten) for a geometry conv_direct_applies
// accepts; false (y untouched) for any other.
bool conv2d_direct(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

// gx = dL/dx (overwrites gx), read from gy in place; false (gx untouched) for a geometry it does
// not take. At stride 1 it takes what conv_direct_applies takes of the transposed layer (gy's O
// channels in, gx's map out); strided, from at least 16 channels to at least 16, gx rows of at
// least 7 positions and at most 4,096 positions.
bool conv2d_backward_input_direct(const float* gy, const float* w, float* gx, const ConvGeometry& g);

}  // namespace pt
