// The weight gradient of convolutions with few taps a filter (first layers: 1 or 3 input
// channels; also 3x3 layers of up to 64x64 channels, and strided or narrow layers of up to four
// times that, on maps of at least 8x8) as a direct sum of outer products, gwᵀ (taps, O) = Σ over
// images and output positions of the column of x the taps read there ⊗ that position's gy across
// channels; no column matrix is built.
//
// Example:
//   if (!pt::conv2d_backward_weight_direct(gy, x, gw, gb, g)) { /* another path */ }
#pragma once

#include "conv.h"

namespace pt {

// Whether the direct weight gradient takes g: ungrouped, undilated, strides up to 4, on a CPU
// with AVX-512; at most 160 taps a filter (C·KH·KW), or more where taps x O fit in 256 KiB (1 MiB
// for layers Winograd does not take, strided or not 3x3, and for those of fewer than 64 channels
// in) and the output map has at least 8x8 positions.
bool conv_wgrad_direct_applies(const ConvGeometry& g);

// gw = dL/dw (overwrites gw) and, when gb is not null, gb = dL/dbias (overwrites gb, summed in
// the same pass) for a geometry conv_wgrad_direct_applies accepts; false (gw and gb untouched)
// for any other.
bool conv2d_backward_weight_direct(const float* gy, const float* x, float* gw, float* gb, const ConvGeometry& g);

}  // namespace pt
