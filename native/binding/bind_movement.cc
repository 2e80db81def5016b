// N-API glue of the data-movement kernels: permute, slice, sliceAssign, indexSelect, indexAdd,
// gather, scatterAdd. Arrays may be Float32Array or Int32Array (moved as 4-byte words) except
// for the adds, which are float32; every index is checked against its dimension here.
#include "../kernels/movement.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

void check_same_dtype(const Args& args, const Words& a, const char* an, const Words& b, const char* bn) {
  PT_CHECK(args, a.is_int32 == b.is_int32, std::string("'") + an + "' and '" + bn + "' must have the same element type");
}

// Every entry of idx in [0, dim).
void check_indices(const Args& args, const I32& idx, int64_t dim, const char* name) {
  for (int64_t i = 0; i < idx.size; ++i) {
    if (idx.data[i] < 0 || idx.data[i] >= dim) {
      PT_CHECK(args, false, std::string("'") + name + "'[" + std::to_string(i) + "] = " + std::to_string(idx.data[i]) +
                                " is out of range [0, " + std::to_string(dim) + ")");
    }
  }
}

// (outer, dim, inner) of a shape with at least one dimension around axis.
void split_around(const Args& args, const pt::Shape& shape, const char* name, int64_t axis, int64_t* outer, int64_t* dim,
                  int64_t* inner) {
  PT_CHECK(args, !shape.empty(), std::string("'") + name + "' must have at least one dimension");
  *outer = 1;
  *inner = 1;
  for (int64_t d = 0; d < axis; ++d) *outer *= shape[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) *inner *= shape[d];
  *dim = shape[static_cast<size_t>(axis)];
}

void check_permute(const Args& args, const PermuteArgs& a) {
  const size_t rank = a.shape.size();
  PT_CHECK(args, a.perm.size() == rank, "'perm' must have one entry per dimension of " + format_shape(a.shape));
  std::vector<bool> seen(rank, false);
  for (int64_t p : a.perm) {
    PT_CHECK(args, !seen[static_cast<size_t>(p)], "'perm' must be a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<size_t>(p)] = true;
  }
}

void permute(const Args& args, PermuteArgs& a) {
  check_same_dtype(args, a.x, "x", a.out, "out");
  pt::permute(a.x.data, a.shape, a.perm, a.out.data);
}

// Checks a box of box_shape at begin inside big_shape.
void check_box(const Args& args, const pt::Shape& big, const pt::Shape& box, const std::vector<int64_t>& begin) {
  PT_CHECK(args, box.size() == big.size() && begin.size() == big.size(),
           "shapes " + format_shape(big) + ", " + format_shape(box) + " and 'begin' must have the same rank");
  for (size_t d = 0; d < big.size(); ++d) {
    PT_CHECK(args, begin[d] + box[d] <= big[d],
             "box " + format_shape(box) + " at begin[" + std::to_string(d) + "] = " + std::to_string(begin[d]) +
                 " does not fit in " + format_shape(big));
  }
}

void check_slice(const Args& args, const SliceArgs& a) { check_box(args, a.shape, a.outShape, a.begin); }

void slice(const Args& args, SliceArgs& a) {
  check_same_dtype(args, a.x, "x", a.out, "out");
  pt::slice(a.x.data, a.shape, a.begin, a.out.data, a.outShape);
}

void check_slice_assign(const Args& args, const SliceAssignArgs& a) { check_box(args, a.dstShape, a.srcShape, a.begin); }

void slice_assign(const Args& args, SliceAssignArgs& a) {
  check_same_dtype(args, a.src, "src", a.dst, "dst");
  pt::slice_assign(a.src.data, a.srcShape, a.dst.data, a.dstShape, a.begin);
}

void index_select(const Args& args, IndexSelectArgs& a) {
  int64_t outer, dim, inner;
  split_around(args, a.shape, "shape", a.axis, &outer, &dim, &inner);
  check_same_dtype(args, a.x, "x", a.out, "out");
  args.expect_size(a.out.size, args.mul(args.mul(outer, a.indices.size, "out"), inner, "out"), "'out'");
  check_indices(args, a.indices, dim, "indices");
  pt::index_select(a.x.data, outer, dim, inner, a.indices.data, a.indices.size, a.out.data);
}

void index_add(const Args& args, IndexAddArgs& a) {
  int64_t outer, dim, inner;
  split_around(args, a.outShape, "outShape", a.axis, &outer, &dim, &inner);
  args.expect_size(a.g.size, args.mul(args.mul(outer, a.indices.size, "g"), inner, "g"), "'g'");
  check_indices(args, a.indices, dim, "indices");
  pt::index_add(a.g.data, outer, dim, inner, a.indices.data, a.indices.size, a.out.data);
}

// index has the rank of `shape` and fits inside it on every axis but `axis`.
void check_gather_shapes(const Args& args, const pt::Shape& shape, const pt::Shape& index_shape, int64_t axis) {
  PT_CHECK(args, !shape.empty(), "the gathered shape must have at least one dimension");
  PT_CHECK(args, index_shape.size() == shape.size(),
           "index shape " + format_shape(index_shape) + " must have the rank of " + format_shape(shape));
  for (size_t d = 0; d < shape.size(); ++d) {
    PT_CHECK(args, static_cast<int64_t>(d) == axis || index_shape[d] <= shape[d],
             "index shape " + format_shape(index_shape) + " exceeds " + format_shape(shape) + " on axis " + std::to_string(d));
  }
}

void check_gather(const Args& args, const GatherArgs& a) { check_gather_shapes(args, a.shape, a.indexShape, a.axis); }

void gather(const Args& args, GatherArgs& a) {
  check_same_dtype(args, a.x, "x", a.out, "out");
  check_indices(args, a.index, a.shape[static_cast<size_t>(a.axis)], "index");
  pt::gather(a.x.data, a.shape, a.axis, a.index.data, a.indexShape, a.out.data);
}

void check_scatter_add(const Args& args, const ScatterAddArgs& a) { check_gather_shapes(args, a.outShape, a.indexShape, a.axis); }

void scatter_add(const Args& args, ScatterAddArgs& a) {
  check_indices(args, a.index, a.outShape[static_cast<size_t>(a.axis)], "index");
  pt::scatter_add(a.g.data, a.indexShape, a.axis, a.index.data, a.out.data, a.outShape);
}

}  // namespace

void register_movement(Napi::Env env, Napi::Object exports) {
  add_kernel<PermuteArgs, permute, check_permute>(env, exports);
  add_kernel<SliceArgs, slice, check_slice>(env, exports);
  add_kernel<SliceAssignArgs, slice_assign, check_slice_assign>(env, exports);
  add_kernel<IndexSelectArgs, index_select>(env, exports);
  add_kernel<IndexAddArgs, index_add>(env, exports);
  add_kernel<GatherArgs, gather, check_gather>(env, exports);
  add_kernel<ScatterAddArgs, scatter_add, check_scatter_add>(env, exports);
}

}  // namespace ptb
