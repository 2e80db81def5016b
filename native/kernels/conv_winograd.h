// Winograd F(2x2, 3x3) convolution, the path conv.cpp takes for 3x3, stride-1, undilated
// convolutions with enough channels; see conv_winograd.cpp. Same contracts as conv.h, except that
// each function returns false, having written garbage, when an input holds an infinity or NaN: the
// transforms would spread it as NaN to outputs that direct convolution leaves finite, so the caller
// then recomputes with another path.
#pragma once

#include "conv.h"

namespace pt {

// Fewest channels in and out a group that Winograd takes (conv_winograd_applies): below it the
// transforms cost more than the GEMM saves.
constexpr int64_t kWinogradMinChannels = 8;

bool conv_winograd_applies(const ConvGeometry& g);

// Whether Winograd should go before the direct and im2row kernels (conv_direct.h, conv_rows.h),
// which otherwise take maps up to 8x8: with at least 128 channels in and out a group, 128 tiles in
// the batch, on maps at least 4x4 that its 2x2 tiles cover with at most a third more outputs (so
// 4x4, 6x6, 7x7, 8x8, not 5x5 or 3x3), where its 2.25x fewer multiplies pay for the transforms.
bool conv_winograd_preferred(const ConvGeometry& g);

bool conv2d_winograd(const float* x, const float* w, const float* bias, float* y, const ConvGeometry& g);

bool conv2d_backward_input_winograd(const float* gy, const float* w, float* gx, const ConvGeometry& g);

// gw only (overwritten).
bool conv2d_backward_weight_winograd(const float* gy, const float* x, float* gw, const ConvGeometry& g);

}  // namespace pt
