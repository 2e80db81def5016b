// N-API glue of layer and batch normalisation. gamma/beta, running statistics and parameter
// gradients may be null; when given, their lengths are checked like every other array.
#include "../kernels/norm.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

void layer_norm(const Args&, LayerNormArgs& a) {
  pt::layer_norm(a.x.data, a.gamma.or_null(), a.beta.or_null(), a.rows, a.cols, a.eps, a.y.data, a.mean.data, a.rstd.data);
}

void layer_norm_backward(const Args&, LayerNormBackwardArgs& a) {
  pt::layer_norm_backward(a.gy.data, a.x.data, a.gamma.or_null(), a.mean.data, a.rstd.data, a.rows, a.cols, a.gx.data,
                          a.ggamma.or_null(), a.gbeta.or_null());
}

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
