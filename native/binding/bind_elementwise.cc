// N-API glue of the elementwise kernels: unary, unaryGrad, binary, where, clamp, clampGrad.
// binary runs float32 operands only; int32 arithmetic stays in the JS backend.
#include "../kernels/elementwise.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

void unary(const Args&, UnaryArgs& a) { pt::unary(static_cast<pt::UnaryOp>(a.op), a.x.data, a.out.data, a.x.size, a.alpha); }

void unary_grad(const Args&, UnaryGradArgs& a) {
  pt::unary_grad(static_cast<pt::UnaryOp>(a.op), a.x.data, a.y.data, a.gy.data, a.gx.data, a.x.size, a.alpha);
}

// Throws unless `in` broadcasts to `out` (NumPy rules, no rank growth beyond out's).
void check_broadcast(const Args& args, const pt::Shape& in, const char* name, const pt::Shape& out) {
  bool ok = in.size() <= out.size();
  for (size_t d = 0; ok && d < in.size(); ++d) {
    const int64_t di = in[d], dout = out[out.size() - in.size() + d];
    ok = di == dout || di == 1;
  }
  PT_CHECK(args, ok, std::string("'") + name + "' shape " + format_shape(in) + " does not broadcast to out shape " + format_shape(out));
}

void check_binary(const Args& args, const BinaryArgs& a) {
  check_broadcast(args, a.aShape, "a", a.outShape);
  check_broadcast(args, a.bShape, "b", a.outShape);
}

void binary(const Args&, BinaryArgs& a) {
  pt::binary(static_cast<pt::BinaryOp>(a.op), a.a.data, a.aShape, a.b.data, a.bShape, a.out.data, a.outShape);
}

void check_where(const Args& args, const WhereArgs& a) {
  check_broadcast(args, a.cShape, "cond", a.outShape);
  check_broadcast(args, a.aShape, "a", a.outShape);
  check_broadcast(args, a.bShape, "b", a.outShape);
}

void where(const Args&, WhereArgs& a) {
  pt::where(a.cond.data, a.cShape, a.a.data, a.aShape, a.b.data, a.bShape, a.out.data, a.outShape);
}

void clamp(const Args&, ClampArgs& a) { pt::clamp(a.x.data, a.lo, a.hi, a.out.data, a.x.size); }

void clamp_grad(const Args&, ClampGradArgs& a) { pt::clamp_grad(a.x.data, a.lo, a.hi, a.gy.data, a.gx.data, a.x.size); }

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  add_kernel<UnaryArgs, unary>(env, exports);
  add_kernel<UnaryGradArgs, unary_grad>(env, exports);
  add_kernel<BinaryArgs, binary, check_binary>(env, exports);
  add_kernel<WhereArgs, where, check_where>(env, exports);
  add_kernel<ClampArgs, clamp>(env, exports);
  add_kernel<ClampGradArgs, clamp_grad>(env, exports);
}

}  // namespace ptb
