// Softmax and log-softmax over the middle axis of x viewed as (outer, dim, inner), their backward,
// and the fused softmax cross-entropy. Statistics in double, as in the JS reference.
#pragma once

#include <cstdint>

namespace pt {

// x, out are (outer, dim, inner). Overwrites out with softmax (or log-softmax) along dim.
void softmax(const float* x, int64_t outer, int64_t dim, int64_t inner, bool log, float* out);

// y (the forward output), gy, gx are (outer, dim, inner). Overwrites gx.
void softmax_backward(const float* y, const float* gy, int64_t outer, int64_t dim, int64_t inner, bool log, float* gx);

// logits is (rows, classes), targets and loss are (rows,), grad (or null) is (rows, classes).
// loss_r = -sum_c q_c log p_c with q = (1-smoothing)·onehot(t) + smoothing/classes; rows whose
// target is ignore_index get loss 0 and gradient 0. Targets outside [0, classes) match no class.
void softmax_cross_entropy(const float* logits, const int32_t* targets, int64_t rows, int64_t classes,
                           double smoothing, int64_t ignore_index, float* loss, float* grad);

}  // namespace pt
