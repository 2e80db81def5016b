// N-API glue of the pooling kernels. Window reads are bounds-checked in the kernels, so any
// output size is safe; argmax entries are checked against the plane here.
#include "../kernels/pool.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

struct Pool {
  pt::PoolGeometry g;
  int64_t x_size, y_size;
};

Pool read_geometry(const Args& args, size_t i) {
  const Napi::Object o = args.object(i, "geometry");
  const char* obj = "geometry";
  Pool p{};
  pt::PoolGeometry& g = p.g;
  g.n = args.field_integer(o, obj, "n", 0, kMaxDim);
  g.c = args.field_integer(o, obj, "c", 0, kMaxDim);
  g.h = args.field_integer(o, obj, "h", 0, kMaxDim);
  g.w = args.field_integer(o, obj, "w", 0, kMaxDim);
  g.oh = args.field_integer(o, obj, "oh", 0, kMaxDim);
  g.ow = args.field_integer(o, obj, "ow", 0, kMaxDim);
  g.kh = args.field_integer(o, obj, "kh", 1, kMaxGeometry);
  g.kw = args.field_integer(o, obj, "kw", 1, kMaxGeometry);
  g.stride_h = args.field_integer(o, obj, "strideH", 1, kMaxGeometry);
  g.stride_w = args.field_integer(o, obj, "strideW", 1, kMaxGeometry);
  g.pad_h = args.field_integer(o, obj, "padH", 0, kMaxGeometry);
  g.pad_w = args.field_integer(o, obj, "padW", 0, kMaxGeometry);
  g.count_include_pad = args.field_boolean(o, obj, "countIncludePad");
  const int64_t planes = args.mul(g.n, g.c, "planes");
  // argmax stores positions within a plane as int32.
  PT_CHECK(args, args.mul(g.h, g.w, "plane") <= kMaxDim, "an input plane of " + std::to_string(g.h) + "x" + std::to_string(g.w) + " is too large");
  p.x_size = args.mul(args.mul(planes, g.h, "x"), g.w, "x");
  p.y_size = args.mul(args.mul(planes, g.oh, "y"), g.ow, "y");
  return p;
}

// maxPool2d(x, y, argmax, geometry)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "maxPool2d", 4);
  const Pool p = read_geometry(args, 3);
  F32 x = args.f32(0, "x");
  F32 y = args.f32(1, "y");
  I32 argmax = args.i32(2, "argmax");
  args.expect_size(x, p.x_size, "x");
  args.expect_size(y, p.y_size, "y");
  args.expect_size(argmax, p.y_size, "argmax");
  pt::max_pool2d(x.data, y.data, argmax.data, p.g);
  return info.Env().Undefined();
}

// maxPool2dBackward(gy, argmax, gx, geometry)
Napi::Value MaxPool2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "maxPool2dBackward", 4);
  const Pool p = read_geometry(args, 3);
  F32 gy = args.f32(0, "gy");
  I32 argmax = args.i32(1, "argmax");
  F32 gx = args.f32(2, "gx");
  args.expect_size(gy, p.y_size, "gy");
  args.expect_size(argmax, p.y_size, "argmax");
  args.expect_size(gx, p.x_size, "gx");
  const int64_t plane = p.g.h * p.g.w;
  for (int64_t i = 0; i < argmax.size; ++i) {
    PT_CHECK(args, argmax.data[i] < plane,
             "'argmax'[" + std::to_string(i) + "] = " + std::to_string(argmax.data[i]) + " is outside the plane of " + std::to_string(plane));
  }
  pt::max_pool2d_backward(gy.data, argmax.data, gx.data, p.g);
  return info.Env().Undefined();
}

// avgPool2d(x, y, geometry)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "avgPool2d", 3);
  const Pool p = read_geometry(args, 2);
  F32 x = args.f32(0, "x");
  F32 y = args.f32(1, "y");
  args.expect_size(x, p.x_size, "x");
  args.expect_size(y, p.y_size, "y");
  pt::avg_pool2d(x.data, y.data, p.g);
  return info.Env().Undefined();
}

// avgPool2dBackward(gy, gx, geometry)
Napi::Value AvgPool2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "avgPool2dBackward", 3);
  const Pool p = read_geometry(args, 2);
  F32 gy = args.f32(0, "gy");
  F32 gx = args.f32(1, "gx");
  args.expect_size(gy, p.y_size, "gy");
  args.expect_size(gx, p.x_size, "gx");
  pt::avg_pool2d_backward(gy.data, gx.data, p.g);
  return info.Env().Undefined();
}

struct Adaptive {
  int64_t n, c, h, w, oh, ow, x_size, y_size;
};

// Arguments 1..6 of the adaptive kernels: n, c, h, w, oh, ow.
Adaptive read_adaptive(const Args& args) {
  Adaptive a{};
  a.n = args.integer(1, "n", 0, kMaxDim);
  a.c = args.integer(2, "c", 0, kMaxDim);
  a.h = args.integer(3, "h", 0, kMaxDim);
  a.w = args.integer(4, "w", 0, kMaxDim);
  a.oh = args.integer(5, "oh", 0, kMaxDim);
  a.ow = args.integer(6, "ow", 0, kMaxDim);
  const int64_t planes = args.mul(a.n, a.c, "planes");
  a.x_size = args.mul(args.mul(planes, a.h, "x"), a.w, "x");
  a.y_size = args.mul(args.mul(planes, a.oh, "y"), a.ow, "y");
  // The bounds i*h/oh use products of an output index and an input size.
  args.mul(a.h, a.oh + 1, "adaptive bounds");
  args.mul(a.w, a.ow + 1, "adaptive bounds");
  return a;
}

// adaptiveAvgPool2d(x, n, c, h, w, oh, ow, y)
Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "adaptiveAvgPool2d", 8);
  const Adaptive a = read_adaptive(args);
  F32 x = args.f32(0, "x");
  F32 y = args.f32(7, "y");
  args.expect_size(x, a.x_size, "x");
  args.expect_size(y, a.y_size, "y");
  pt::adaptive_avg_pool2d(x.data, a.n, a.c, a.h, a.w, a.oh, a.ow, y.data);
  return info.Env().Undefined();
}

// adaptiveAvgPool2dBackward(gy, n, c, h, w, oh, ow, gx)
Napi::Value AdaptiveAvgPool2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "adaptiveAvgPool2dBackward", 8);
  const Adaptive a = read_adaptive(args);
  F32 gy = args.f32(0, "gy");
  F32 gx = args.f32(7, "gx");
  args.expect_size(gy, a.y_size, "gy");
  args.expect_size(gx, a.x_size, "gx");
  pt::adaptive_avg_pool2d_backward(gy.data, a.n, a.c, a.h, a.w, a.oh, a.ow, gx.data);
  return info.Env().Undefined();
}

}  // namespace

void register_pool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool2d", Napi::Function::New(env, MaxPool2d, "maxPool2d"));
  exports.Set("maxPool2dBackward", Napi::Function::New(env, MaxPool2dBackward, "maxPool2dBackward"));
  exports.Set("avgPool2d", Napi::Function::New(env, AvgPool2d, "avgPool2d"));
  exports.Set("avgPool2dBackward", Napi::Function::New(env, AvgPool2dBackward, "avgPool2dBackward"));
  exports.Set("adaptiveAvgPool2d", Napi::Function::New(env, AdaptiveAvgPool2d, "adaptiveAvgPool2d"));
  exports.Set("adaptiveAvgPool2dBackward", Napi::Function::New(env, AdaptiveAvgPool2dBackward, "adaptiveAvgPool2dBackward"));
}

}  // namespace ptb
