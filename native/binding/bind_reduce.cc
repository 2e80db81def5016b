// N-API glue of the reductions: reduce(op, x, shape, axes, out), argReduce(op, x, shape, axis, out).
#include "../kernels/reduce.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// reduce(op, x, shape, axes, out); axes sorted and unique.
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args args(info, "reduce", 5);
  const std::string name = args.string(0, "op");
  pt::ReduceOp op = pt::ReduceOp::Sum;
  if (name == "max") op = pt::ReduceOp::Max;
  else if (name == "min") op = pt::ReduceOp::Min;
  else PT_CHECK(args, name == "sum", "unknown reduce op '" + name + "', expected sum, max or min");
  const pt::Shape shape = args.shape(2, "shape");
  const int64_t rank = static_cast<int64_t>(shape.size());
  const std::vector<int64_t> axes = args.int_list(3, "axes", 0, rank - 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    PT_CHECK(args, i == 0 || axes[i] > axes[i - 1], "'axes' must be sorted and unique");
  }
  pt::Shape kept = shape;
  for (int64_t a : axes) kept[static_cast<size_t>(a)] = 1;
  const int64_t out_size = pt::numel(kept);
  F32 x = args.f32(1, "x");
  F32 out = args.f32(4, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(out, out_size, "out");
  pt::reduce(op, x.data, shape, axes, out.data);
  return info.Env().Undefined();
}

// argReduce(op, x, shape, axis, out)
Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  Args args(info, "argReduce", 5);
  const std::string name = args.string(0, "op");
  PT_CHECK(args, name == "argmax" || name == "argmin", "unknown op '" + name + "', expected argmax or argmin");
  const pt::Shape shape = args.shape(2, "shape");
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int64_t axis = args.integer(3, "axis", 0, rank > 0 ? rank - 1 : 0);
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= shape[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= shape[static_cast<size_t>(d)];
  const int64_t dim = rank > 0 ? shape[static_cast<size_t>(axis)] : 1;
  F32 x = args.f32(1, "x");
  I32 out = args.i32(4, "out");
  args.expect_size(x, pt::numel(shape), "x");
  args.expect_size(out, outer * inner, "out");
  pt::arg_reduce(name == "argmax", x.data, outer, dim, inner, out.data);
  return info.Env().Undefined();
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce"));
  exports.Set("argReduce", Napi::Function::New(env, ArgReduce, "argReduce"));
}

}  // namespace ptb
