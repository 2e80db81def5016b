// N-API glue of the fused optimiser steps; hyper-parameters come in one options object.
#include "../kernels/optim.h"
#include "args.h"
#include "register.h"

namespace ptb {
namespace {

// adamStep(p, g, m, v, options)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args args(info, "adamStep", 5);
  const Napi::Object o = args.object(4, "options");
  pt::AdamParams a{};
  a.lr = args.field_number(o, "options", "lr");
  a.beta1 = args.field_number(o, "options", "beta1");
  a.beta2 = args.field_number(o, "options", "beta2");
  a.eps = args.field_number(o, "options", "eps");
  a.weight_decay = args.field_number(o, "options", "weightDecay");
  a.decoupled = args.field_boolean(o, "options", "decoupled");
  a.step = static_cast<double>(args.field_integer(o, "options", "step", 1, kMaxElements));
  F32 p = args.f32(0, "p");
  F32 g = args.f32(1, "g");
  F32 m = args.f32(2, "m");
  F32 v = args.f32(3, "v");
  args.expect_size(g, p.size, "g");
  args.expect_size(m, p.size, "m");
  args.expect_size(v, p.size, "v");
  pt::adam_step(p.data, g.data, m.data, v.data, p.size, a);
  return info.Env().Undefined();
}

// sgdStep(p, g, buf, options)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  Args args(info, "sgdStep", 4);
  const Napi::Object o = args.object(3, "options");
  pt::SgdParams s{};
  s.lr = args.field_number(o, "options", "lr");
  s.momentum = args.field_number(o, "options", "momentum");
  s.dampening = args.field_number(o, "options", "dampening");
  s.weight_decay = args.field_number(o, "options", "weightDecay");
  s.nesterov = args.field_boolean(o, "options", "nesterov");
  s.first_step = args.field_boolean(o, "options", "firstStep");
  F32 p = args.f32(0, "p");
  F32 g = args.f32(1, "g");
  F32 buf = args.f32_or_null(2, "buf");
  args.expect_size(g, p.size, "g");
  if (!buf.is_null) args.expect_size(buf, p.size, "buf");
  pt::sgd_step(p.data, g.data, buf.or_null(), p.size, s);
  return info.Env().Undefined();
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamStep", Napi::Function::New(env, AdamStep, "adamStep"));
  exports.Set("sgdStep", Napi::Function::New(env, SgdStep, "sgdStep"));
}

}  // namespace ptb
