// N-API glue of softmax, its backward and the fused softmax cross-entropy.
#include "../kernels/softmax.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// outer*inner rows are addressed even when dim is 0.
template <class S>
void check_layout(const Args& args, const S& a) {
  args.mul(args.mul(a.outer, a.inner, "rows"), a.dim + 1, "x");
}

void softmax(const Args&, SoftmaxArgs& a) { pt::softmax(a.x.data, a.outer, a.dim, a.inner, a.log, a.out.data); }

void softmax_backward(const Args&, SoftmaxBackwardArgs& a) {
  pt::softmax_backward(a.y.data, a.gy.data, a.outer, a.dim, a.inner, a.log, a.gx.data);
}

void cross_entropy(const Args&, CrossEntropyArgs& a) {
  pt::softmax_cross_entropy(a.logits.data, a.targets.data, a.rows, a.classes, a.smoothing, a.ignoreIndex, a.loss.data,
                            a.grad.or_null());
}

}  // namespace

void register_softmax(Napi::Env env, Napi::Object exports) {
  add_kernel<SoftmaxArgs, softmax, check_layout>(env, exports);
  add_kernel<SoftmaxBackwardArgs, softmax_backward, check_layout>(env, exports);
  add_kernel<CrossEntropyArgs, cross_entropy>(env, exports);
}

}  // namespace ptb
