// N-API glue of softmax, its backward and the fused softmax cross-entropy.
#include "../kernels/softmax.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

struct Layout {
  int64_t outer, dim, inner, size;
};

// Arguments first..first+2: outer, dim, inner.
Layout read_layout(const Args& args, size_t first) {
  Layout l{};
  l.outer = args.integer(first, "outer", 0, kMaxDim);
  l.dim = args.integer(first + 1, "dim", 0, kMaxDim);
  l.inner = args.integer(first + 2, "inner", 0, kMaxDim);
  // outer*inner rows are addressed even when dim is 0.
  l.size = args.mul(args.mul(l.outer, l.dim, "x"), l.inner, "x");
  args.mul(args.mul(l.outer, l.inner, "rows"), l.dim + 1, "x");
  return l;
}

// softmax(x, outer, dim, inner, log, out)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Args args(info, "softmax", 6);
  const Layout l = read_layout(args, 1);
  const bool log = args.boolean(4, "log");
  F32 x = args.f32(0, "x");
  F32 out = args.f32(5, "out");
  args.expect_size(x, l.size, "x");
  args.expect_size(out, l.size, "out");
  pt::softmax(x.data, l.outer, l.dim, l.inner, log, out.data);
  return info.Env().Undefined();
}

// softmaxBackward(y, gy, outer, dim, inner, log, gx)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxBackward", 7);
  const Layout l = read_layout(args, 2);
  const bool log = args.boolean(5, "log");
  F32 y = args.f32(0, "y");
  F32 gy = args.f32(1, "gy");
  F32 gx = args.f32(6, "gx");
  args.expect_size(y, l.size, "y");
  args.expect_size(gy, l.size, "gy");
  args.expect_size(gx, l.size, "gx");
  pt::softmax_backward(y.data, gy.data, l.outer, l.dim, l.inner, log, gx.data);
  return info.Env().Undefined();
}

// softmaxCrossEntropy(logits, targets, rows, classes, smoothing, ignoreIndex, loss, grad)
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxCrossEntropy", 8);
  const int64_t rows = args.integer(2, "rows", 0, kMaxDim);
  const int64_t classes = args.integer(3, "classes", 0, kMaxDim);
  const double smoothing = args.number(4, "smoothing");
  const int64_t ignore_index = args.integer(5, "ignoreIndex", -kMaxElements, kMaxElements);
  const int64_t size = args.mul(rows, classes, "logits");
  F32 logits = args.f32(0, "logits");
  I32 targets = args.i32(1, "targets");
  F32 loss = args.f32(6, "loss");
  F32 grad = args.f32_or_null(7, "grad");
  args.expect_size(logits, size, "logits");
  args.expect_size(targets, rows, "targets");
  args.expect_size(loss, rows, "loss");
  if (!grad.is_null) args.expect_size(grad, size, "grad");
  pt::softmax_cross_entropy(logits.data, targets.data, rows, classes, smoothing, ignore_index, loss.data, grad.or_null());
  return info.Env().Undefined();
}

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward, "softmaxBackward"));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, SoftmaxCrossEntropy, "softmaxCrossEntropy"));
}

}  // namespace ptb
