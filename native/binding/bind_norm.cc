// N-API glue of layer and batch normalisation. gamma/beta, running statistics and parameter
// gradients may be null; when given, their lengths are checked like every other array.
#include "../kernels/norm.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// Checks an optional per-feature array.
void expect_optional(const Args& args, const F32& v, int64_t size, const char* name) {
  if (!v.is_null) args.expect_size(v, size, name);
}

// layerNorm(x, gamma, beta, rows, cols, eps, y, mean, rstd)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  Args args(info, "layerNorm", 9);
  const int64_t rows = args.integer(3, "rows", 0, kMaxDim);
  const int64_t cols = args.integer(4, "cols", 0, kMaxDim);
  const double eps = args.number(5, "eps");
  const int64_t size = args.mul(rows, cols, "x");
  F32 x = args.f32(0, "x");
  F32 gamma = args.f32_or_null(1, "gamma");
  F32 beta = args.f32_or_null(2, "beta");
  F32 y = args.f32(6, "y");
  F32 mean = args.f32(7, "mean");
  F32 rstd = args.f32(8, "rstd");
  args.expect_size(x, size, "x");
  expect_optional(args, gamma, cols, "gamma");
  expect_optional(args, beta, cols, "beta");
  args.expect_size(y, size, "y");
  args.expect_size(mean, rows, "mean");
  args.expect_size(rstd, rows, "rstd");
  pt::layer_norm(x.data, gamma.or_null(), beta.or_null(), rows, cols, eps, y.data, mean.data, rstd.data);
  return info.Env().Undefined();
}

// layerNormBackward(gy, x, gamma, mean, rstd, rows, cols, gx, ggamma, gbeta)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "layerNormBackward", 10);
  const int64_t rows = args.integer(5, "rows", 0, kMaxDim);
  const int64_t cols = args.integer(6, "cols", 0, kMaxDim);
  const int64_t size = args.mul(rows, cols, "x");
  F32 gy = args.f32(0, "gy");
  F32 x = args.f32(1, "x");
  F32 gamma = args.f32_or_null(2, "gamma");
  F32 mean = args.f32(3, "mean");
  F32 rstd = args.f32(4, "rstd");
  F32 gx = args.f32(7, "gx");
  F32 ggamma = args.f32_or_null(8, "ggamma");
  F32 gbeta = args.f32_or_null(9, "gbeta");
  args.expect_size(gy, size, "gy");
  args.expect_size(x, size, "x");
  expect_optional(args, gamma, cols, "gamma");
  args.expect_size(mean, rows, "mean");
  args.expect_size(rstd, rows, "rstd");
  args.expect_size(gx, size, "gx");
  expect_optional(args, ggamma, cols, "ggamma");
  expect_optional(args, gbeta, cols, "gbeta");
  pt::layer_norm_backward(gy.data, x.data, gamma.or_null(), mean.data, rstd.data, rows, cols, gx.data, ggamma.or_null(), gbeta.or_null());
  return info.Env().Undefined();
}

// batchNorm(x, n, c, s, gamma, beta, training, momentum, eps, runningMean, runningVar, y, mean, rstd)
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  Args args(info, "batchNorm", 14);
  const int64_t n = args.integer(1, "n", 0, kMaxDim);
  const int64_t c = args.integer(2, "c", 0, kMaxDim);
  const int64_t s = args.integer(3, "s", 0, kMaxDim);
  const bool training = args.boolean(6, "training");
  const double momentum = args.number(7, "momentum");
  const double eps = args.number(8, "eps");
  const int64_t size = args.mul(args.mul(n, c, "x"), s, "x");
  args.mul(n, s, "per-channel count");
  F32 x = args.f32(0, "x");
  F32 gamma = args.f32_or_null(4, "gamma");
  F32 beta = args.f32_or_null(5, "beta");
  F32 running_mean = args.f32_or_null(9, "runningMean");
  F32 running_var = args.f32_or_null(10, "runningVar");
  F32 y = args.f32(11, "y");
  F32 mean = args.f32(12, "mean");
  F32 rstd = args.f32(13, "rstd");
  args.expect_size(x, size, "x");
  expect_optional(args, gamma, c, "gamma");
  expect_optional(args, beta, c, "beta");
  expect_optional(args, running_mean, c, "runningMean");
  expect_optional(args, running_var, c, "runningVar");
  args.expect_size(y, size, "y");
  args.expect_size(mean, c, "mean");
  args.expect_size(rstd, c, "rstd");
  pt::batch_norm(x.data, n, c, s, gamma.or_null(), beta.or_null(), training, momentum, eps, running_mean.or_null(), running_var.or_null(),
                 y.data, mean.data, rstd.data);
  return info.Env().Undefined();
}

// batchNormBackward(gy, x, n, c, s, gamma, mean, rstd, training, gx, ggamma, gbeta)
Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormBackward", 12);
  const int64_t n = args.integer(2, "n", 0, kMaxDim);
  const int64_t c = args.integer(3, "c", 0, kMaxDim);
  const int64_t s = args.integer(4, "s", 0, kMaxDim);
  const bool training = args.boolean(8, "training");
  const int64_t size = args.mul(args.mul(n, c, "x"), s, "x");
  args.mul(n, s, "per-channel count");
  F32 gy = args.f32(0, "gy");
  F32 x = args.f32(1, "x");
  F32 gamma = args.f32_or_null(5, "gamma");
  F32 mean = args.f32(6, "mean");
  F32 rstd = args.f32(7, "rstd");
  F32 gx = args.f32(9, "gx");
  F32 ggamma = args.f32_or_null(10, "ggamma");
  F32 gbeta = args.f32_or_null(11, "gbeta");
  args.expect_size(gy, size, "gy");
  args.expect_size(x, size, "x");
  expect_optional(args, gamma, c, "gamma");
  args.expect_size(mean, c, "mean");
  args.expect_size(rstd, c, "rstd");
  args.expect_size(gx, size, "gx");
  expect_optional(args, ggamma, c, "ggamma");
  expect_optional(args, gbeta, c, "gbeta");
  pt::batch_norm_backward(gy.data, x.data, n, c, s, gamma.or_null(), mean.data, rstd.data, training, gx.data, ggamma.or_null(), gbeta.or_null());
  return info.Env().Undefined();
}

}  // namespace

void register_norm(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm, "layerNorm"));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward, "layerNormBackward"));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm, "batchNorm"));
  exports.Set("batchNormBackward", Napi::Function::New(env, BatchNormBackward, "batchNormBackward"));
}

}  // namespace ptb
