// N-API glue of the reductions: reduce(op, x, shape, axes, out), argReduce(op, x, shape, axis, out).
#include "../kernels/reduce.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// (outer, dim, inner) of shape around axis; a 0-d shape is one element.
void split_around(const pt::Shape& shape, int64_t axis, int64_t* outer, int64_t* dim, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t d = 0; d < axis; ++d) *outer *= shape[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) *inner *= shape[d];
  *dim = shape.empty() ? 1 : shape[static_cast<size_t>(axis)];
}

void check_reduce(const Args& args, const ReduceArgs& a) {
  for (size_t i = 1; i < a.axes.size(); ++i) PT_CHECK(args, a.axes[i] > a.axes[i - 1], "'axes' must be sorted and unique");
}

void reduce(const Args& args, ReduceArgs& a) {
  pt::Shape kept = a.shape;
  for (int64_t axis : a.axes) kept[static_cast<size_t>(axis)] = 1;
  args.expect_size(a.out.size, pt::numel(kept), "'out'");
  pt::reduce(static_cast<pt::ReduceOp>(a.op), a.x.data, a.shape, a.axes, a.out.data);
}

void arg_reduce(const Args& args, ArgReduceArgs& a) {
  int64_t outer, dim, inner;
  split_around(a.shape, a.axis, &outer, &dim, &inner);
  args.expect_size(a.out.size, outer * inner, "'out'");
  pt::arg_reduce(a.op == 0, a.x.data, outer, dim, inner, a.out.data);
}

}  // namespace

void register_reduce(Napi::Env env, Napi::Object exports) {
  add_kernel<ReduceArgs, reduce, check_reduce>(env, exports);
  add_kernel<ArgReduceArgs, arg_reduce>(env, exports);
}

}  // namespace ptb
