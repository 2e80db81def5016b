// N-API glue of the convolution kernels. The geometry object is read field by field and checked
// for consistency (groups divide the channels, sizes fit) before any array is touched.
#include "../kernels/conv.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// Largest column matrix (C/groups·KH·KW x OH·OW floats) one image may need: 8 GiB.
constexpr int64_t kMaxColumnElements = int64_t{1} << 31;

struct Conv {
  pt::ConvGeometry g;
  int64_t x_size, w_size, y_size;
};

Conv read_geometry(const Args& args, size_t i) {
  const Napi::Object o = args.object(i, "geometry");
  const char* obj = "geometry";
  Conv cv{};
  pt::ConvGeometry& g = cv.g;
  g.n = args.field_integer(o, obj, "n", 0, kMaxDim);
  g.c = args.field_integer(o, obj, "c", 0, kMaxDim);
  g.h = args.field_integer(o, obj, "h", 0, kMaxDim);
  g.w = args.field_integer(o, obj, "w", 0, kMaxDim);
  g.o = args.field_integer(o, obj, "o", 0, kMaxDim);
  g.kh = args.field_integer(o, obj, "kh", 1, kMaxGeometry);
  g.kw = args.field_integer(o, obj, "kw", 1, kMaxGeometry);
  g.oh = args.field_integer(o, obj, "oh", 0, kMaxDim);
  g.ow = args.field_integer(o, obj, "ow", 0, kMaxDim);
  g.stride_h = args.field_integer(o, obj, "strideH", 1, kMaxGeometry);
  g.stride_w = args.field_integer(o, obj, "strideW", 1, kMaxGeometry);
  g.pad_h = args.field_integer(o, obj, "padH", 0, kMaxGeometry);
  g.pad_w = args.field_integer(o, obj, "padW", 0, kMaxGeometry);
  g.dilation_h = args.field_integer(o, obj, "dilationH", 1, kMaxGeometry);
  g.dilation_w = args.field_integer(o, obj, "dilationW", 1, kMaxGeometry);
  g.groups = args.field_integer(o, obj, "groups", 1, kMaxDim);
  PT_CHECK(args, g.c % g.groups == 0 && g.o % g.groups == 0,
           "groups = " + std::to_string(g.groups) + " must divide c = " + std::to_string(g.c) + " and o = " + std::to_string(g.o));
  cv.x_size = args.mul(args.mul(args.mul(g.n, g.c, "x"), g.h, "x"), g.w, "x");
  cv.w_size = args.mul(args.mul(args.mul(g.o, g.c / g.groups, "w"), g.kh, "w"), g.kw, "w");
  cv.y_size = args.mul(args.mul(args.mul(g.n, g.o, "y"), g.oh, "y"), g.ow, "y");
  const int64_t column = args.mul(args.mul(args.mul(g.c / g.groups, g.kh * g.kw, "column matrix"), g.oh, "column matrix"), g.ow, "column matrix");
  PT_CHECK(args, column <= kMaxColumnElements, "the column matrix of one image (" + std::to_string(column) + " floats) is too large");
  return cv;
}

// conv2d(x, w, bias, y, geometry)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  Args args(info, "conv2d", 5);
  const Conv cv = read_geometry(args, 4);
  F32 x = args.f32(0, "x");
  F32 w = args.f32(1, "w");
  F32 bias = args.f32_or_null(2, "bias");
  F32 y = args.f32(3, "y");
  args.expect_size(x, cv.x_size, "x");
  args.expect_size(w, cv.w_size, "w");
  if (!bias.is_null) args.expect_size(bias, cv.g.o, "bias");
  args.expect_size(y, cv.y_size, "y");
  pt::conv2d(x.data, w.data, bias.or_null(), y.data, cv.g);
  return info.Env().Undefined();
}

// conv2dBackwardInput(gy, w, gx, geometry)
Napi::Value Conv2dBackwardInput(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackwardInput", 4);
  const Conv cv = read_geometry(args, 3);
  F32 gy = args.f32(0, "gy");
  F32 w = args.f32(1, "w");
  F32 gx = args.f32(2, "gx");
  args.expect_size(gy, cv.y_size, "gy");
  args.expect_size(w, cv.w_size, "w");
  args.expect_size(gx, cv.x_size, "gx");
  pt::conv2d_backward_input(gy.data, w.data, gx.data, cv.g);
  return info.Env().Undefined();
}

// conv2dBackwardWeight(gy, x, gw, gb, geometry)
Napi::Value Conv2dBackwardWeight(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackwardWeight", 5);
  const Conv cv = read_geometry(args, 4);
  F32 gy = args.f32(0, "gy");
  F32 x = args.f32(1, "x");
  F32 gw = args.f32(2, "gw");
  F32 gb = args.f32_or_null(3, "gb");
  args.expect_size(gy, cv.y_size, "gy");
  args.expect_size(x, cv.x_size, "x");
  args.expect_size(gw, cv.w_size, "gw");
  if (!gb.is_null) args.expect_size(gb, cv.g.o, "gb");
  pt::conv2d_backward_weight(gy.data, x.data, gw.data, gb.or_null(), cv.g);
  return info.Env().Undefined();
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
  exports.Set("conv2dBackwardInput", Napi::Function::New(env, Conv2dBackwardInput, "conv2dBackwardInput"));
  exports.Set("conv2dBackwardWeight", Napi::Function::New(env, Conv2dBackwardWeight, "conv2dBackwardWeight"));
}

}  // namespace ptb
