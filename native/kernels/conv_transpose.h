// Transposes of small row-major matrices for the channels-innermost convolution paths
// (conv_depthwise_nhwc.cpp, conv_rows.cpp): an image's planes (C, H·W) to (H·W, C) and back.
//
// Example:
//   pt::conv_util::transpose(x, c, h * w, xt);   // xt (H·W, C) = x (C, H·W) transposed
#pragma once

#include <cstdint>

namespace pt {
namespace conv_util {

// dst (cols, rows) = src (rows, cols) transposed, where a row of src starts every src_ld floats and
// a row of dst every dst_ld (a block of a larger matrix: one image row of a padded image, the
// first C channels of a padded row).
void transpose(const float* src, int64_t rows, int64_t cols, int64_t src_ld, float* dst, int64_t dst_ld);

// dst (cols, rows) = src (rows, cols) transposed, both packed.
void transpose(const float* src, int64_t rows, int64_t cols, float* dst);

}  // namespace conv_util
}  // namespace pt
