// Optimiser steps: one pass over the parameters, in double like the reference (the moments are
// stored rounded to float, but the update uses the unrounded values, as the reference does).
#include "optim.h"

#include <cmath>

#include "parallel.h"
#include "simd_clones.h"

namespace pt {
namespace {
constexpr int64_t kGrain = 1 << 15;

struct AdamCoeffs {
  double beta1, beta2, step_size, inv_sqrt_bc2, eps, decay, l2;
};

// One Adam update of n parameters. A function of its own so that __restrict tells the compiler
// the arrays do not overlap: the loop then runs on vectors (sqrt and division included, since the
// addon is built with -fno-math-errno), cloned per ISA: 8 doubles a vector on AVX-512, not 2.
PT_SIMD_CLONES void adam_range(float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
                int64_t n, const AdamCoeffs c) {
  for (int64_t i = 0; i < n; ++i) {
    const double gi = g[i] + c.l2 * p[i];
    const double mi = c.beta1 * m[i] + (1.0 - c.beta1) * gi;
    const double vi = c.beta2 * v[i] + (1.0 - c.beta2) * gi * gi;
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    p[i] = static_cast<float>(p[i] * c.decay - c.step_size * mi / (std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps));
  }
}

struct SgdCoeffs {
  double lr, momentum, undamped, decay;
};

// SGD without momentum over n parameters; like adam_range, a cloned loop of its own.
PT_SIMD_CLONES void sgd_plain_range(float* __restrict p, const float* __restrict g, int64_t n, const SgdCoeffs c) {
  for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(p[i] - c.lr * (g[i] + c.decay * p[i]));
}

// SGD with momentum over n parameters: the buffer set to the gradient on the first step
// (`first`), else blended. In double, as before; the single loop these two replace ran 2 doubles a
// vector (the baseline build): ResNet-18's 11.2M parameters took 17.5 ms a step at one thread, 7.0
// cloned.
template <bool first>
PT_SIMD_CLONES void sgd_momentum_range(float* __restrict p, const float* __restrict g, float* __restrict buf, int64_t n,
                                       const SgdCoeffs c, bool nesterov) {
  for (int64_t i = 0; i < n; ++i) {
    const double d = g[i] + c.decay * p[i];
    const double b = first ? d : c.momentum * buf[i] + c.undamped * d;
    buf[i] = static_cast<float>(b);
    p[i] = static_cast<float>(p[i] - c.lr * (nesterov ? d + c.momentum * b : b));
  }
}

}  // namespace

void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamParams& o) {
  const double bc1 = 1.0 - std::pow(o.beta1, o.step);
  const double bc2 = 1.0 - std::pow(o.beta2, o.step);
  // sqrt(v)/sqrt(bc2) as a product with the reciprocal: one division per parameter instead of two,
  // at a cost below the rounding of the float result.
  const AdamCoeffs c{o.beta1, o.beta2, o.lr / bc1, 1.0 / std::sqrt(bc2), o.eps,
                     o.decoupled ? 1.0 - o.lr * o.weight_decay : 1.0, o.decoupled ? 0.0 : o.weight_decay};
  parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) { adam_range(p + lo, g + lo, m + lo, v + lo, hi - lo, c); });
}

void sgd_step(float* p, const float* g, float* buf, int64_t n, const SgdParams& o) {
  const SgdCoeffs c{o.lr, o.momentum, 1.0 - o.dampening, o.weight_decay};
  parallel_for(n, kGrain, [&](int64_t lo, int64_t hi) {
    if (buf == nullptr) {
      sgd_plain_range(p + lo, g + lo, hi - lo, c);
    } else if (o.first_step) {
      sgd_momentum_range<true>(p + lo, g + lo, buf + lo, hi - lo, c, o.nesterov);
    } else {
      sgd_momentum_range<false>(p + lo, g + lo, buf + lo, hi - lo, c, o.nesterov);
    }
  });
}

}  // namespace pt
