// N-API glue of the elementwise kernels: unary, unaryGrad, binary, where, clamp, clampGrad.
// binary runs float32 operands only; int32 arithmetic stays in the JS backend.
#include "../kernels/elementwise.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// In the order of pt::UnaryOp and pt::BinaryOp.
const EnumNames kUnaryOps{"unary op", {"neg", "exp", "log", "sqrt", "abs", "sign", "square", "reciprocal", "relu",
                                       "leakyRelu", "sigmoid", "tanh", "erf", "log1p"}};
const EnumNames kBinaryOps{"binary op", {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"}};

// unary(op, x, out, alpha)
#define UNARY_ARGS(X)                  \
  X(ENUM, op, ARG(0), kUnaryOps)       \
  X(F32, x, ARG(1))                    \
  X(F32, out, ARG(2), "x")             \
  X(NUMBER, alpha, ARG(3))
PT_SIGNATURE(UnaryArgs, "unary", 4, UNARY_ARGS)

void unary(const Args&, UnaryArgs& a) { pt::unary(static_cast<pt::UnaryOp>(a.op), a.x.data, a.out.data, a.x.size, a.alpha); }

// unaryGrad(op, x, y, gy, gx, alpha)
#define UNARY_GRAD_ARGS(X)             \
  X(ENUM, op, ARG(0), kUnaryOps)       \
  X(F32, x, ARG(1))                    \
  X(F32, y, ARG(2), "x")               \
  X(F32, gy, ARG(3), "x")              \
  X(F32, gx, ARG(4), "x")              \
  X(NUMBER, alpha, ARG(5))
PT_SIGNATURE(UnaryGradArgs, "unaryGrad", 6, UNARY_GRAD_ARGS)

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

// binary(op, a, aShape, b, bShape, out, outShape), float32 only.
#define BINARY_ARGS(X)                 \
  X(ENUM, op, ARG(0), kBinaryOps)      \
  X(F32, a, ARG(1), "aShape")          \
  X(SHAPE, aShape, ARG(2))             \
  X(F32, b, ARG(3), "bShape")          \
  X(SHAPE, bShape, ARG(4))             \
  X(F32, out, ARG(5), "outShape")      \
  X(SHAPE, outShape, ARG(6))
PT_SIGNATURE(BinaryArgs, "binary", 7, BINARY_ARGS)

void check_binary(const Args& args, const BinaryArgs& a) {
  check_broadcast(args, a.aShape, "a", a.outShape);
  check_broadcast(args, a.bShape, "b", a.outShape);
}

void binary(const Args&, BinaryArgs& a) {
  pt::binary(static_cast<pt::BinaryOp>(a.op), a.a.data, a.aShape, a.b.data, a.bShape, a.out.data, a.outShape);
}

// where(cond, cShape, a, aShape, b, bShape, out, outShape)
#define WHERE_ARGS(X)                  \
  X(F32, cond, ARG(0), "cShape")       \
  X(SHAPE, cShape, ARG(1))             \
  X(F32, a, ARG(2), "aShape")          \
  X(SHAPE, aShape, ARG(3))             \
  X(F32, b, ARG(4), "bShape")          \
  X(SHAPE, bShape, ARG(5))             \
  X(F32, out, ARG(6), "outShape")      \
  X(SHAPE, outShape, ARG(7))
PT_SIGNATURE(WhereArgs, "where", 8, WHERE_ARGS)

void check_where(const Args& args, const WhereArgs& a) {
  check_broadcast(args, a.cShape, "cond", a.outShape);
  check_broadcast(args, a.aShape, "a", a.outShape);
  check_broadcast(args, a.bShape, "b", a.outShape);
}

void where(const Args&, WhereArgs& a) {
  pt::where(a.cond.data, a.cShape, a.a.data, a.aShape, a.b.data, a.bShape, a.out.data, a.outShape);
}

// clamp(x, lo, hi, out)
#define CLAMP_ARGS(X)                  \
  X(F32, x, ARG(0))                    \
  X(NUMBER, lo, ARG(1))                \
  X(NUMBER, hi, ARG(2))                \
  X(F32, out, ARG(3), "x")
PT_SIGNATURE(ClampArgs, "clamp", 4, CLAMP_ARGS)

void clamp(const Args&, ClampArgs& a) { pt::clamp(a.x.data, a.lo, a.hi, a.out.data, a.x.size); }

// clampGrad(x, lo, hi, gy, gx)
#define CLAMP_GRAD_ARGS(X)             \
  X(F32, x, ARG(0))                    \
  X(NUMBER, lo, ARG(1))                \
  X(NUMBER, hi, ARG(2))                \
  X(F32, gy, ARG(3), "x")              \
  X(F32, gx, ARG(4), "x")
PT_SIGNATURE(ClampGradArgs, "clampGrad", 5, CLAMP_GRAD_ARGS)

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
