// Fused optimiser updates, in place, following PyTorch's formulas (as the JS reference does).
#pragma once

#include <cstdint>

namespace pt {

struct AdamParams {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;  // AdamW: decay the weights directly instead of adding wd*p to the gradient
  double step;     // 1-based step count, for bias correction
};

struct SgdParams {
  double lr, momentum, dampening, weight_decay;
  bool nesterov;
  bool first_step;  // the momentum buffer is set to the gradient instead of blended
};

// p, g, m, v are (n,): one Adam/AdamW step; m and v are updated in place.
void adam_step(float* p, const float* g, float* m, float* v, int64_t n, const AdamParams& o);

// p, g, buf (or null when momentum is 0) are (n,): one SGD step.
void sgd_step(float* p, const float* g, float* buf, int64_t n, const SgdParams& o);

}  // namespace pt
