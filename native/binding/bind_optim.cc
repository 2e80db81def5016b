// N-API glue of the fused optimiser steps; hyper-parameters come in one options object.
#include "../kernels/optim.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

void adam_step(const Args&, AdamArgs& a) {
  const pt::AdamParams o{a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.decoupled, static_cast<double>(a.step)};
  pt::adam_step(a.p.data, a.g.data, a.m.data, a.v.data, a.p.size, o);
}

void sgd_step(const Args&, SgdArgs& a) {
  const pt::SgdParams o{a.lr, a.momentum, a.dampening, a.weightDecay, a.nesterov, a.firstStep};
  pt::sgd_step(a.p.data, a.g.data, a.buf.or_null(), a.p.size, o);
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  add_kernel<AdamArgs, adam_step>(env, exports);
  add_kernel<SgdArgs, sgd_step>(env, exports);
}

}  // namespace ptb
