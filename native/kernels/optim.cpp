// Optimiser steps: one pass over the parameters, in double like the reference (the moments are
// stored rounded to float, but the update uses the unrounded values, as the reference does).
#include "optim.h"

#include <cmath>

#include "parallel.h"

namespace pt {
namespace {
constexpr int64_t kGrain = 1 << 15;
}  // namespace

void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamParams& o) {
  const double bc1 = 1.0 - std::pow(o.beta1, o.step);
  const double bc2 = 1.0 - std::pow(o.beta2, o.step);
  const double step_size = o.lr / bc1;
  const double sqrt_bc2 = std::sqrt(bc2);
  const double decay = o.decoupled ? 1.0 - o.lr * o.weight_decay : 1.0;
  const double l2 = o.decoupled ? 0.0 : o.weight_decay;
  parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const double gi = g[i] + l2 * p[i];
      const double mi = o.beta1 * m[i] + (1.0 - o.beta1) * gi;
      const double vi = o.beta2 * v[i] + (1.0 - o.beta2) * gi * gi;
      m[i] = static_cast<float>(mi);
      v[i] = static_cast<float>(vi);
      p[i] = static_cast<float>(p[i] * decay - step_size * mi / (std::sqrt(vi) / sqrt_bc2 + o.eps));
    }
  });
}

void sgd_step(float* p, const float* g, float* buf, int64_t n, const SgdParams& o) {
  parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      double d = g[i] + o.weight_decay * p[i];
      if (buf != nullptr) {
        const double b = o.first_step ? d : o.momentum * buf[i] + (1.0 - o.dampening) * d;
        buf[i] = static_cast<float>(b);
        d = o.nesterov ? d + o.momentum * b : b;
      }
      p[i] = static_cast<float>(p[i] - o.lr * d);
    }
  });
}

}  // namespace pt
