// N-API glue of the data-movement kernels: permute, slice, sliceAssign, indexSelect, indexAdd,
// gather, scatterAdd. Arrays may be Float32Array or Int32Array (moved as 4-byte words) except
// for the adds, which are float32; every index is checked against its dimension here.
#include "../kernels/movement.h"
#include "args.h"
#include "register.h"

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

// (outer, dim, inner) of shape around axis.
void split_around(const pt::Shape& shape, int64_t axis, int64_t* outer, int64_t* dim, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t d = 0; d < axis; ++d) *outer *= shape[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) *inner *= shape[d];
  *dim = shape[static_cast<size_t>(axis)];
}

// permute(x, shape, perm, out)
Napi::Value Permute(const Napi::CallbackInfo& info) {
  Args args(info, "permute", 4);
  const pt::Shape shape = args.shape(1, "shape");
  const int64_t rank = static_cast<int64_t>(shape.size());
  const std::vector<int64_t> perm = args.int_list(2, "perm", 0, rank - 1);
  PT_CHECK(args, static_cast<int64_t>(perm.size()) == rank, "'perm' must have one entry per dimension of " + format_shape(shape));
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    PT_CHECK(args, !seen[static_cast<size_t>(p)], "'perm' must be a permutation of 0.." + std::to_string(rank - 1));
    seen[static_cast<size_t>(p)] = true;
  }
  Words x = args.words(0, "x");
  Words out = args.words(3, "out");
  check_same_dtype(args, x, "x", out, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(out, x.size, "out");
  pt::permute(x.data, shape, perm, out.data);
  return info.Env().Undefined();
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

// slice(x, shape, begin, out, outShape)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  Args args(info, "slice", 5);
  const pt::Shape shape = args.shape(1, "shape");
  const std::vector<int64_t> begin = args.int_list(2, "begin", 0, kMaxDim);
  const pt::Shape out_shape = args.shape(4, "outShape");
  check_box(args, shape, out_shape, begin);
  Words x = args.words(0, "x");
  Words out = args.words(3, "out");
  check_same_dtype(args, x, "x", out, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(out, pt::numel(out_shape), "out");
  pt::slice(x.data, shape, begin, out.data, out_shape);
  return info.Env().Undefined();
}

// sliceAssign(src, srcShape, dst, dstShape, begin)
Napi::Value SliceAssign(const Napi::CallbackInfo& info) {
  Args args(info, "sliceAssign", 5);
  const pt::Shape src_shape = args.shape(1, "srcShape");
  const pt::Shape dst_shape = args.shape(3, "dstShape");
  const std::vector<int64_t> begin = args.int_list(4, "begin", 0, kMaxDim);
  check_box(args, dst_shape, src_shape, begin);
  Words src = args.words(0, "src");
  Words dst = args.words(2, "dst");
  check_same_dtype(args, src, "src", dst, "dst");
  args.expect_size(src, pt::numel(src_shape), "src");
  args.expect_size(dst, pt::numel(dst_shape), "dst");
  pt::slice_assign(src.data, src_shape, dst.data, dst_shape, begin);
  return info.Env().Undefined();
}

// indexSelect(x, shape, axis, indices, out)
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  Args args(info, "indexSelect", 5);
  const pt::Shape shape = args.shape(1, "shape");
  PT_CHECK(args, !shape.empty(), "'shape' must have at least one dimension");
  const int64_t axis = args.integer(2, "axis", 0, static_cast<int64_t>(shape.size()) - 1);
  int64_t outer, dim, inner;
  split_around(shape, axis, &outer, &dim, &inner);
  Words x = args.words(0, "x");
  I32 indices = args.i32(3, "indices");
  Words out = args.words(4, "out");
  check_same_dtype(args, x, "x", out, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(out, args.mul(args.mul(outer, indices.size, "out"), inner, "out"), "out");
  check_indices(args, indices, dim, "indices");
  pt::index_select(x.data, outer, dim, inner, indices.data, indices.size, out.data);
  return info.Env().Undefined();
}

// indexAdd(g, axis, indices, out, outShape)
Napi::Value IndexAdd(const Napi::CallbackInfo& info) {
  Args args(info, "indexAdd", 5);
  const pt::Shape out_shape = args.shape(4, "outShape");
  PT_CHECK(args, !out_shape.empty(), "'outShape' must have at least one dimension");
  const int64_t axis = args.integer(1, "axis", 0, static_cast<int64_t>(out_shape.size()) - 1);
  int64_t outer, dim, inner;
  split_around(out_shape, axis, &outer, &dim, &inner);
  F32 g = args.f32(0, "g");
  I32 indices = args.i32(2, "indices");
  F32 out = args.f32(3, "out");
  args.expect_size(out, pt::numel(out_shape), "out");
  args.expect_size(g, args.mul(args.mul(outer, indices.size, "g"), inner, "g"), "g");
  check_indices(args, indices, dim, "indices");
  pt::index_add(g.data, outer, dim, inner, indices.data, indices.size, out.data);
  return info.Env().Undefined();
}

// index has the rank of `shape` and fits inside it on every axis but `axis`.
void check_gather_shapes(const Args& args, const pt::Shape& shape, const pt::Shape& index_shape, int64_t axis) {
  PT_CHECK(args, index_shape.size() == shape.size(),
           "index shape " + format_shape(index_shape) + " must have the rank of " + format_shape(shape));
  for (size_t d = 0; d < shape.size(); ++d) {
    PT_CHECK(args, static_cast<int64_t>(d) == axis || index_shape[d] <= shape[d],
             "index shape " + format_shape(index_shape) + " exceeds " + format_shape(shape) + " on axis " + std::to_string(d));
  }
}

// gather(x, shape, axis, index, indexShape, out)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Args args(info, "gather", 6);
  const pt::Shape shape = args.shape(1, "shape");
  PT_CHECK(args, !shape.empty(), "'shape' must have at least one dimension");
  const int64_t axis = args.integer(2, "axis", 0, static_cast<int64_t>(shape.size()) - 1);
  const pt::Shape index_shape = args.shape(4, "indexShape");
  check_gather_shapes(args, shape, index_shape, axis);
  Words x = args.words(0, "x");
  I32 index = args.i32(3, "index");
  Words out = args.words(5, "out");
  check_same_dtype(args, x, "x", out, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(index, pt::numel(index_shape), "index");
  args.expect_size(out, index.size, "out");
  check_indices(args, index, shape[static_cast<size_t>(axis)], "index");
  pt::gather(x.data, shape, axis, index.data, index_shape, out.data);
  return info.Env().Undefined();
}

// scatterAdd(g, indexShape, axis, index, out, outShape)
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  Args args(info, "scatterAdd", 6);
  const pt::Shape index_shape = args.shape(1, "indexShape");
  const pt::Shape out_shape = args.shape(5, "outShape");
  PT_CHECK(args, !out_shape.empty(), "'outShape' must have at least one dimension");
  const int64_t axis = args.integer(2, "axis", 0, static_cast<int64_t>(out_shape.size()) - 1);
  check_gather_shapes(args, out_shape, index_shape, axis);
  F32 g = args.f32(0, "g");
  I32 index = args.i32(3, "index");
  F32 out = args.f32(4, "out");
  args.expect_size(index, pt::numel(index_shape), "index");
  args.expect_size(g, index.size, "g");
  args.expect_size(out, pt::numel(out_shape), "out");
  check_indices(args, index, out_shape[static_cast<size_t>(axis)], "index");
  pt::scatter_add(g.data, index_shape, axis, index.data, out.data, out_shape);
  return info.Env().Undefined();
}

}  // namespace

void register_movement(Napi::Env env, Napi::Object exports) {
  exports.Set("permute", Napi::Function::New(env, Permute, "permute"));
  exports.Set("slice", Napi::Function::New(env, Slice, "slice"));
  exports.Set("sliceAssign", Napi::Function::New(env, SliceAssign, "sliceAssign"));
  exports.Set("indexSelect", Napi::Function::New(env, IndexSelect, "indexSelect"));
  exports.Set("indexAdd", Napi::Function::New(env, IndexAdd, "indexAdd"));
  exports.Set("gather", Napi::Function::New(env, Gather, "gather"));
  exports.Set("scatterAdd", Napi::Function::New(env, ScatterAdd, "scatterAdd"));
}

}  // namespace ptb
