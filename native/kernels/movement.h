// Data movement over 4-byte elements (float32 and int32 alike): permute, slice, slice assignment,
// index select and gather, plus the float adds that are their gradients. The binding checks every
// index against its dimension before these run.
#pragma once

#include <cstdint>
#include <vector>

#include "shape.h"

namespace pt {

// out = x.permute(perm), contiguous; x is `shape`.
void permute(const uint32_t* x, const Shape& shape, const std::vector<int64_t>& perm, uint32_t* out);

// out (out_shape) = x (shape) [begin[d] : begin[d] + out_shape[d], ...].
void slice(const uint32_t* x, const Shape& shape, const std::vector<int64_t>& begin, uint32_t* out, const Shape& out_shape);

// dst (dst_shape) [begin[d] : begin[d] + src_shape[d], ...] = src (src_shape).
void slice_assign(const uint32_t* src, const Shape& src_shape, uint32_t* dst, const Shape& dst_shape, const std::vector<int64_t>& begin);

// x viewed as (outer, dim, inner), out as (outer, k, inner): out[o, j, :] = x[o, indices[j], :].
void index_select(const uint32_t* x, int64_t outer, int64_t dim, int64_t inner, const int32_t* indices, int64_t k, uint32_t* out);

// out viewed as (outer, dim, inner), g as (outer, k, inner): out[o, indices[j], :] += g[o, j, :].
void index_add(const float* g, int64_t outer, int64_t dim, int64_t inner, const int32_t* indices, int64_t k, float* out);

// out[..., i, ...] = x[..., index[..., i, ...], ...] along axis (torch.gather); out has index's shape.
void gather(const uint32_t* x, const Shape& shape, int64_t axis, const int32_t* index, const Shape& index_shape, uint32_t* out);

// out[..., index[..., i, ...], ...] += g[..., i, ...] along axis (torch.scatter_add_).
void scatter_add(const float* g, const Shape& index_shape, int64_t axis, const int32_t* index, float* out, const Shape& out_shape);

}  // namespace pt
