// NumPy broadcasting of K operands to an output shape, coalesced into as few dimensions as
// possible so the inner loop is long and has one of a few stride patterns (1 = contiguous,
// 0 = broadcast). A same-shape op becomes one dimension, a bias add [r,c]+[c] two.
//
// Example:
//   auto plan = plan_broadcast<2>({&a_shape, &b_shape}, out_shape);
//   plan.for_rows(0, plan.rows(), [&](const int64_t* off, int64_t out_off) { ... });
#pragma once

#include <array>
#include <cstdint>

#include "shape.h"

namespace pt {

template <int K>
struct BroadcastPlan {
  Shape dims;                   // coalesced output dimensions, outermost first; never empty
  std::array<Shape, K> strides;  // element strides of each operand per dimension (0 = broadcast)

  int64_t inner() const { return dims.back(); }
  int64_t rows() const {
    int64_t r = 1;
    for (size_t d = 0; d + 1 < dims.size(); ++d) r *= dims[d];
    return r;
  }
  const int64_t* inner_strides(std::array<int64_t, K>& out) const {
    for (int k = 0; k < K; ++k) out[k] = strides[k].back();
    return out.data();
  }

  // Calls fn(operand_offsets, out_offset) for each row in [lo, hi) of the inner dimension.
  template <class F>
  void for_rows(int64_t lo, int64_t hi, F&& fn) const {
    const size_t outer = dims.size() - 1;
    Shape idx(outer, 0);
    std::array<int64_t, K> off{};
    int64_t rest = lo;
    for (size_t d = outer; d-- > 0;) {
      idx[d] = rest % dims[d];
      rest /= dims[d];
      for (int k = 0; k < K; ++k) off[k] += idx[d] * strides[k][d];
    }
    const int64_t len = inner();
    for (int64_t r = lo; r < hi; ++r) {
      fn(off.data(), r * len);
      for (size_t d = outer; d-- > 0;) {
        for (int k = 0; k < K; ++k) off[k] += strides[k][d];
        if (++idx[d] < dims[d]) break;
        for (int k = 0; k < K; ++k) off[k] -= strides[k][d] * dims[d];
        idx[d] = 0;
      }
    }
  }
};

// Each input shape must broadcast to `out` (rank <= out's rank, each dimension 1 or equal).
template <int K>
BroadcastPlan<K> plan_broadcast(const std::array<const Shape*, K>& in, const Shape& out) {
  BroadcastPlan<K> plan;
  const size_t rank = out.size();
  for (size_t d = 0; d < rank; ++d) {
    if (out[d] == 1) continue;  // size-1 output dimensions contribute nothing
    std::array<int64_t, K> st{};
    for (int k = 0; k < K; ++k) {
      const Shape& s = *in[k];
      const size_t lead = rank - s.size();
      if (d < lead || s[d - lead] == 1) continue;
      int64_t stride = 1;
      for (size_t e = d - lead + 1; e < s.size(); ++e) stride *= s[e];
      st[k] = stride;
    }
    // Merge into the previous dimension when every operand walks both as one contiguous run.
    bool merge = !plan.dims.empty();
    for (int k = 0; k < K && merge; ++k) merge = plan.strides[k].back() == st[k] * out[d];
    if (merge) {
      plan.dims.back() *= out[d];
      for (int k = 0; k < K; ++k) plan.strides[k].back() = st[k];
    } else {
      plan.dims.push_back(out[d]);
      for (int k = 0; k < K; ++k) plan.strides[k].push_back(st[k]);
    }
  }
  if (plan.dims.empty()) {
    plan.dims.push_back(1);
    for (int k = 0; k < K; ++k) plan.strides[k].push_back(0);
  }
  return plan;
}

}  // namespace pt
