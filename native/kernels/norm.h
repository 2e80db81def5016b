// Layer normalisation and batch normalisation, forward and backward. Statistics in double, as in
// the JS reference; gamma/beta (and their gradients) may be null.
#pragma once

#include <cstdint>

namespace pt {

// x, y are (rows, cols); gamma, beta are (cols,); mean, rstd are (rows,). Normalises each row.
void layer_norm(const float* x, const float* gamma, const float* beta, int64_t rows, int64_t cols,
                double eps, float* y, float* mean, float* rstd);

// gy, x, gx are (rows, cols); gamma, ggamma, gbeta are (cols,); mean, rstd are (rows,).
// Overwrites gx, ggamma and gbeta.
void layer_norm_backward(const float* gy, const float* x, const float* gamma, const float* mean,
                         const float* rstd, int64_t rows, int64_t cols, float* gx, float* ggamma, float* gbeta);

// x, y are (n, c, s); gamma, beta, running_mean, running_var, mean, rstd are (c,). Training uses
// batch statistics and blends them into the running ones (unbiased variance) when given; eval
// normalises with the running statistics (0 and 1 when null) and reports them in mean/rstd.
void batch_norm(const float* x, int64_t n, int64_t c, int64_t s, const float* gamma, const float* beta,
                bool training, double momentum, double eps, float* running_mean, float* running_var,
                float* y, float* mean, float* rstd);

// gy, x, gx are (n, c, s); gamma, mean, rstd, ggamma, gbeta are (c,). Overwrites gx, ggamma, gbeta.
void batch_norm_backward(const float* gy, const float* x, int64_t n, int64_t c, int64_t s,
                         const float* gamma, const float* mean, const float* rstd, bool training,
                         float* gx, float* ggamma, float* gbeta);

}  // namespace pt
