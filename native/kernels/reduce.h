// Reductions: sum/max/min over a set of axes, argmax/argmin along one axis. Sums accumulate in
// double; max/min propagate NaN like the JS reference.
#pragma once

#include <cstdint>
#include <vector>

#include "shape.h"

namespace pt {

enum class ReduceOp { Sum, Max, Min };

// x is `shape`; out has the size of shape with `axes` (sorted, unique) set to 1. Overwrites out.
void reduce(ReduceOp op, const float* x, const Shape& shape, const std::vector<int64_t>& axes, float* out);

// x viewed as (outer, dim, inner); out is (outer, inner): the index of the first max (min) along
// dim, or of the first NaN. out is 0 when dim is 0.
void arg_reduce(bool is_max, const float* x, int64_t outer, int64_t dim, int64_t inner, int32_t* out);

}  // namespace pt
