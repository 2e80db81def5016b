// Reductions. The shape is coalesced into alternating kept/reduced blocks; the walk goes through x
// once in memory order, so the inner loop is either a contiguous reduction into one output or a
// contiguous row added into a row of outputs (the bias-gradient case).
#include "reduce.h"

#include <cmath>
#include <limits>

namespace pt {
namespace {

struct Block {
  int64_t size;
  bool reduced;
};

// Drops size-1 dimensions and merges neighbours that are both reduced or both kept.
std::vector<Block> coalesce(const Shape& shape, const std::vector<int64_t>& axes) {
  std::vector<bool> red(shape.size(), false);
  for (int64_t a : axes) red[static_cast<size_t>(a)] = true;
  std::vector<Block> blocks;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!blocks.empty() && blocks.back().reduced == red[d]) {
      blocks.back().size *= shape[d];
    } else {
      blocks.push_back({shape[d], red[d]});
    }
  }
  if (blocks.empty()) blocks.push_back({1, false});
  return blocks;
}

// Folds x into acc (the size of out) in memory order; Combine(acc_ref, value) does one step.
template <class Acc, class Combine>
void walk(const float* x, const std::vector<Block>& blocks, Acc* acc, Combine combine) {
  const size_t rank = blocks.size();
  // Stride of each block in acc (0 for reduced blocks).
  std::vector<int64_t> ostr(rank, 0);
  int64_t s = 1;
  for (size_t d = rank; d-- > 0;) {
    if (!blocks[d].reduced) {
      ostr[d] = s;
      s *= blocks[d].size;
    }
  }
  const int64_t len = blocks.back().size;
  const bool inner_reduced = blocks.back().reduced;
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= blocks[d].size;
  std::vector<int64_t> idx(rank, 0);
  int64_t o = 0;
  for (int64_t r = 0; r < rows; ++r, x += len) {
    if (inner_reduced) {
      Acc& a = acc[o];
      for (int64_t i = 0; i < len; ++i) combine(a, x[i]);
    } else {
      Acc* a = acc + o;
      for (int64_t i = 0; i < len; ++i) combine(a[i], x[i]);
    }
    for (size_t d = rank - 1; d-- > 0;) {
      o += ostr[d];
      if (++idx[d] < blocks[d].size) break;
      o -= ostr[d] * blocks[d].size;
      idx[d] = 0;
    }
  }
}

}  // namespace

void reduce(ReduceOp op, const float* x, const Shape& shape, const std::vector<int64_t>& axes, float* out) {
  int64_t out_size = 1;
  {
    std::vector<bool> red(shape.size(), false);
    for (int64_t a : axes) red[static_cast<size_t>(a)] = true;
    for (size_t d = 0; d < shape.size(); ++d) out_size *= red[d] ? 1 : shape[d];
  }
  const std::vector<Block> blocks = coalesce(shape, axes);
  const bool empty = numel(shape) == 0;
  if (op == ReduceOp::Sum) {
    std::vector<double> acc(static_cast<size_t>(out_size), 0.0);
    if (!empty) walk(x, blocks, acc.data(), [](double& a, float v) { a += v; });
    for (int64_t i = 0; i < out_size; ++i) out[i] = static_cast<float>(acc[i]);
    return;
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < out_size; ++i) out[i] = op == ReduceOp::Max ? -inf : inf;
  if (empty) return;
  if (op == ReduceOp::Max) {
    walk(x, blocks, out, [](float& a, float v) { if (v > a || std::isnan(v)) a = v; });
  } else {
    walk(x, blocks, out, [](float& a, float v) { if (v < a || std::isnan(v)) a = v; });
  }
}

void arg_reduce(bool is_max, const float* x, int64_t outer, int64_t dim, int64_t inner, int32_t* out) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      int32_t bi = 0;
      if (dim > 0) {
        const float* p = x + o * dim * inner + i;
        float best = p[0];
        for (int64_t k = 1; k < dim && !std::isnan(best); ++k) {
          const float v = p[k * inner];
          if ((is_max ? v > best : v < best) || std::isnan(v)) {
            best = v;
            bi = static_cast<int32_t>(k);
          }
        }
      }
      out[o * inner + i] = bi;
    }
  }
}

}  // namespace pt
