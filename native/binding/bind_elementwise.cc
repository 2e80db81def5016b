// N-API glue of the elementwise kernels: unary, unaryGrad, binary, where, clamp, clampGrad.
// binary runs float32 operands only; int32 arithmetic stays in the JS backend.
#include "../kernels/elementwise.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

struct UnaryName {
  const char* name;
  pt::UnaryOp op;
};
const UnaryName kUnary[] = {
    {"neg", pt::UnaryOp::Neg},       {"exp", pt::UnaryOp::Exp},         {"log", pt::UnaryOp::Log},
    {"sqrt", pt::UnaryOp::Sqrt},     {"abs", pt::UnaryOp::Abs},         {"sign", pt::UnaryOp::Sign},
    {"square", pt::UnaryOp::Square}, {"reciprocal", pt::UnaryOp::Reciprocal}, {"relu", pt::UnaryOp::Relu},
    {"leakyRelu", pt::UnaryOp::LeakyRelu}, {"sigmoid", pt::UnaryOp::Sigmoid}, {"tanh", pt::UnaryOp::Tanh},
    {"gelu", pt::UnaryOp::Gelu},     {"softplus", pt::UnaryOp::Softplus},
};

struct BinaryName {
  const char* name;
  pt::BinaryOp op;
};
const BinaryName kBinary[] = {
    {"add", pt::BinaryOp::Add}, {"sub", pt::BinaryOp::Sub}, {"mul", pt::BinaryOp::Mul},
    {"div", pt::BinaryOp::Div}, {"pow", pt::BinaryOp::Pow}, {"maximum", pt::BinaryOp::Maximum},
    {"minimum", pt::BinaryOp::Minimum}, {"eq", pt::BinaryOp::Eq}, {"ne", pt::BinaryOp::Ne},
    {"lt", pt::BinaryOp::Lt}, {"le", pt::BinaryOp::Le}, {"gt", pt::BinaryOp::Gt}, {"ge", pt::BinaryOp::Ge},
};

pt::UnaryOp unary_op(const Args& args, size_t i) {
  const std::string s = args.string(i, "op");
  for (const UnaryName& u : kUnary)
    if (s == u.name) return u.op;
  PT_CHECK(args, false, "unknown unary op '" + s + "'");
  return pt::UnaryOp::Neg;
}

pt::BinaryOp binary_op(const Args& args, size_t i) {
  const std::string s = args.string(i, "op");
  for (const BinaryName& b : kBinary)
    if (s == b.name) return b.op;
  PT_CHECK(args, false, "unknown binary op '" + s + "'");
  return pt::BinaryOp::Add;
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

// unary(op, x, out, alpha)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args args(info, "unary", 4);
  const pt::UnaryOp op = unary_op(args, 0);
  const double alpha = args.number(3, "alpha");
  F32 x = args.f32(1, "x");
  F32 out = args.f32(2, "out");
  args.expect_size(out, x.size, "out");
  pt::unary(op, x.data, out.data, x.size, alpha);
  return info.Env().Undefined();
}

// unaryGrad(op, x, y, gy, gx, alpha)
Napi::Value UnaryGrad(const Napi::CallbackInfo& info) {
  Args args(info, "unaryGrad", 6);
  const pt::UnaryOp op = unary_op(args, 0);
  const double alpha = args.number(5, "alpha");
  F32 x = args.f32(1, "x");
  F32 y = args.f32(2, "y");
  F32 gy = args.f32(3, "gy");
  F32 gx = args.f32(4, "gx");
  args.expect_size(y, x.size, "y");
  args.expect_size(gy, x.size, "gy");
  args.expect_size(gx, x.size, "gx");
  pt::unary_grad(op, x.data, y.data, gy.data, gx.data, x.size, alpha);
  return info.Env().Undefined();
}

// binary(op, a, aShape, b, bShape, out, outShape), float32 only.
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args args(info, "binary", 7);
  const pt::BinaryOp op = binary_op(args, 0);
  const pt::Shape a_shape = args.shape(2, "aShape");
  const pt::Shape b_shape = args.shape(4, "bShape");
  const pt::Shape out_shape = args.shape(6, "outShape");
  check_broadcast(args, a_shape, "a", out_shape);
  check_broadcast(args, b_shape, "b", out_shape);
  F32 a = args.f32(1, "a");
  F32 b = args.f32(3, "b");
  F32 out = args.f32(5, "out");
  args.expect_size(a, pt::numel(a_shape), "a");
  args.expect_size(b, pt::numel(b_shape), "b");
  args.expect_size(out, pt::numel(out_shape), "out");
  pt::binary(op, a.data, a_shape, b.data, b_shape, out.data, out_shape);
  return info.Env().Undefined();
}

// where(cond, cShape, a, aShape, b, bShape, out, outShape)
Napi::Value Where(const Napi::CallbackInfo& info) {
  Args args(info, "where", 8);
  const pt::Shape c_shape = args.shape(1, "cShape");
  const pt::Shape a_shape = args.shape(3, "aShape");
  const pt::Shape b_shape = args.shape(5, "bShape");
  const pt::Shape out_shape = args.shape(7, "outShape");
  check_broadcast(args, c_shape, "cond", out_shape);
  check_broadcast(args, a_shape, "a", out_shape);
  check_broadcast(args, b_shape, "b", out_shape);
  F32 cond = args.f32(0, "cond");
  F32 a = args.f32(2, "a");
  F32 b = args.f32(4, "b");
  F32 out = args.f32(6, "out");
  args.expect_size(cond, pt::numel(c_shape), "cond");
  args.expect_size(a, pt::numel(a_shape), "a");
  args.expect_size(b, pt::numel(b_shape), "b");
  args.expect_size(out, pt::numel(out_shape), "out");
  pt::where(cond.data, c_shape, a.data, a_shape, b.data, b_shape, out.data, out_shape);
  return info.Env().Undefined();
}

// clamp(x, lo, hi, out)
Napi::Value Clamp(const Napi::CallbackInfo& info) {
  Args args(info, "clamp", 4);
  const double lo = args.number(1, "lo");
  const double hi = args.number(2, "hi");
  F32 x = args.f32(0, "x");
  F32 out = args.f32(3, "out");
  args.expect_size(out, x.size, "out");
  pt::clamp(x.data, lo, hi, out.data, x.size);
  return info.Env().Undefined();
}

// clampGrad(x, lo, hi, gy, gx)
Napi::Value ClampGrad(const Napi::CallbackInfo& info) {
  Args args(info, "clampGrad", 5);
  const double lo = args.number(1, "lo");
  const double hi = args.number(2, "hi");
  F32 x = args.f32(0, "x");
  F32 gy = args.f32(3, "gy");
  F32 gx = args.f32(4, "gx");
  args.expect_size(gy, x.size, "gy");
  args.expect_size(gx, x.size, "gx");
  pt::clamp_grad(x.data, lo, hi, gy.data, gx.data, x.size);
  return info.Env().Undefined();
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
  exports.Set("unaryGrad", Napi::Function::New(env, UnaryGrad, "unaryGrad"));
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("where", Napi::Function::New(env, Where, "where"));
  exports.Set("clamp", Napi::Function::New(env, Clamp, "clamp"));
  exports.Set("clampGrad", Napi::Function::New(env, ClampGrad, "clampGrad"));
}

}  // namespace ptb
