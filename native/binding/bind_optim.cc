// N-API glue of the fused optimiser steps; hyper-parameters come in one options object.
#include "../kernels/optim.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// adamStep({ p, g, m, v }, options)
#define ADAM_ARGS(X)                               \
  X(F32, p, IN(0))                                 \
  X(F32, g, IN(0), "p")                            \
  X(F32, m, IN(0), "p")                            \
  X(F32, v, IN(0), "p")                            \
  X(NUMBER, lr, IN(1))                             \
  X(NUMBER, beta1, IN(1))                          \
  X(NUMBER, beta2, IN(1))                          \
  X(NUMBER, eps, IN(1))                            \
  X(NUMBER, weightDecay, IN(1))                    \
  X(BOOL, decoupled, IN(1))                        \
  X(INT, step, IN(1), 1, kMaxElements)
PT_SIGNATURE(AdamArgs, "adamStep", 2, ADAM_ARGS, ARRAYS(0), OBJECT(1, "options"))

void adam_step(const Args&, AdamArgs& a) {
  const pt::AdamParams o{a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.decoupled, static_cast<double>(a.step)};
  pt::adam_step(a.p.data, a.g.data, a.m.data, a.v.data, a.p.size, o);
}

// sgdStep({ p, g, buf }, options); buf is null without momentum.
#define SGD_ARGS(X)                                \
  X(F32, p, IN(0))                                 \
  X(F32, g, IN(0), "p")                            \
  X(F32_OR_NULL, buf, IN(0), "p")                  \
  X(NUMBER, lr, IN(1))                             \
  X(NUMBER, momentum, IN(1))                       \
  X(NUMBER, dampening, IN(1))                      \
  X(NUMBER, weightDecay, IN(1))                    \
  X(BOOL, nesterov, IN(1))                         \
  X(BOOL, firstStep, IN(1))
PT_SIGNATURE(SgdArgs, "sgdStep", 2, SGD_ARGS, ARRAYS(0), OBJECT(1, "options"))

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
