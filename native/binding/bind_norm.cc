// N-API glue of layer and batch normalisation. gamma/beta, running statistics and parameter
// gradients may be null; when given, their lengths are checked like every other array.
#include "../kernels/norm.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// layerNorm({ x, gamma, beta, y, mean, rstd }, { rows, cols, eps })
#define LAYER_NORM_ARGS(X)                     \
  X(F32, x, IN(0), "rows*cols")                \
  X(F32_OR_NULL, gamma, IN(0), "cols")         \
  X(F32_OR_NULL, beta, IN(0), "cols")          \
  X(F32, y, IN(0), "x")                        \
  X(F32, mean, IN(0), "rows")                  \
  X(F32, rstd, IN(0), "rows")                  \
  X(INT, rows, IN(1), 0, kMaxDim)              \
  X(INT, cols, IN(1), 0, kMaxDim)              \
  X(NUMBER, eps, IN(1))
PT_SIGNATURE(LayerNormArgs, "layerNorm", 2, LAYER_NORM_ARGS, ARRAYS(0), ATTRS(1))

void layer_norm(const Args&, LayerNormArgs& a) {
  pt::layer_norm(a.x.data, a.gamma.or_null(), a.beta.or_null(), a.rows, a.cols, a.eps, a.y.data, a.mean.data, a.rstd.data);
}

// layerNormBackward({ gy, x, gamma, mean, rstd, gx, ggamma, gbeta }, { rows, cols })
#define LAYER_NORM_BACKWARD_ARGS(X)            \
  X(F32, gy, IN(0), "rows*cols")               \
  X(F32, x, IN(0), "gy")                       \
  X(F32_OR_NULL, gamma, IN(0), "cols")         \
  X(F32, mean, IN(0), "rows")                  \
  X(F32, rstd, IN(0), "rows")                  \
  X(F32, gx, IN(0), "gy")                      \
  X(F32_OR_NULL, ggamma, IN(0), "cols")        \
  X(F32_OR_NULL, gbeta, IN(0), "cols")         \
  X(INT, rows, IN(1), 0, kMaxDim)              \
  X(INT, cols, IN(1), 0, kMaxDim)
PT_SIGNATURE(LayerNormBackwardArgs, "layerNormBackward", 2, LAYER_NORM_BACKWARD_ARGS, ARRAYS(0), ATTRS(1))

void layer_norm_backward(const Args&, LayerNormBackwardArgs& a) {
  pt::layer_norm_backward(a.gy.data, a.x.data, a.gamma.or_null(), a.mean.data, a.rstd.data, a.rows, a.cols, a.gx.data,
                          a.ggamma.or_null(), a.gbeta.or_null());
}

// x viewed as [n, c, s]; `training` uses batch statistics.
#define BATCH_NORM_LAYOUT(X)                   \
  X(INT, n, IN(1), 0, kMaxDim)                 \
  X(INT, c, IN(1), 0, kMaxDim)                 \
  X(INT, s, IN(1), 0, kMaxDim)                 \
  X(BOOL, training, IN(1))

// batchNorm({ x, gamma, beta, runningMean, runningVar, y, mean, rstd }, { n, c, s, training, momentum, eps })
#define BATCH_NORM_ARGS(X)                     \
  X(F32, x, IN(0), "n*c*s")                    \
  X(F32_OR_NULL, gamma, IN(0), "c")            \
  X(F32_OR_NULL, beta, IN(0), "c")             \
  X(F32_OR_NULL, runningMean, IN(0), "c")      \
  X(F32_OR_NULL, runningVar, IN(0), "c")       \
  X(F32, y, IN(0), "x")                        \
  X(F32, mean, IN(0), "c")                     \
  X(F32, rstd, IN(0), "c")                     \
  BATCH_NORM_LAYOUT(X)                         \
  X(NUMBER, momentum, IN(1))                   \
  X(NUMBER, eps, IN(1))
PT_SIGNATURE(BatchNormArgs, "batchNorm", 2, BATCH_NORM_ARGS, ARRAYS(0), ATTRS(1))

// batchNormBackward({ gy, x, gamma, mean, rstd, gx, ggamma, gbeta }, { n, c, s, training })
#define BATCH_NORM_BACKWARD_ARGS(X)            \
  X(F32, gy, IN(0), "n*c*s")                   \
  X(F32, x, IN(0), "gy")                       \
  X(F32_OR_NULL, gamma, IN(0), "c")            \
  X(F32, mean, IN(0), "c")                     \
  X(F32, rstd, IN(0), "c")                     \
  X(F32, gx, IN(0), "gy")                      \
  X(F32_OR_NULL, ggamma, IN(0), "c")           \
  X(F32_OR_NULL, gbeta, IN(0), "c")            \
  BATCH_NORM_LAYOUT(X)
PT_SIGNATURE(BatchNormBackwardArgs, "batchNormBackward", 2, BATCH_NORM_BACKWARD_ARGS, ARRAYS(0), ATTRS(1))

// The per-channel count n*s must not overflow either.
template <class S>
void check_count(const Args& args, const S& a) {
  args.mul(a.n, a.s, "per-channel count");
}

void batch_norm(const Args&, BatchNormArgs& a) {
  pt::batch_norm(a.x.data, a.n, a.c, a.s, a.gamma.or_null(), a.beta.or_null(), a.training, a.momentum, a.eps,
                 a.runningMean.or_null(), a.runningVar.or_null(), a.y.data, a.mean.data, a.rstd.data);
}

void batch_norm_backward(const Args&, BatchNormBackwardArgs& a) {
  pt::batch_norm_backward(a.gy.data, a.x.data, a.n, a.c, a.s, a.gamma.or_null(), a.mean.data, a.rstd.data, a.training,
                          a.gx.data, a.ggamma.or_null(), a.gbeta.or_null());
}

}  // namespace

void register_norm(Napi::Env env, Napi::Object exports) {
  add_kernel<LayerNormArgs, layer_norm>(env, exports);
  add_kernel<LayerNormBackwardArgs, layer_norm_backward>(env, exports);
  add_kernel<BatchNormArgs, batch_norm, check_count>(env, exports);
  add_kernel<BatchNormBackwardArgs, batch_norm_backward, check_count>(env, exports);
}

}  // namespace ptb
