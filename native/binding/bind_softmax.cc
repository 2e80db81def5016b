// N-API glue of softmax, its backward and the fused softmax cross-entropy.
#include "../kernels/softmax.h"
#include "register.h"
#include "signature.h"

namespace ptb {
namespace {

// x viewed as [outer, dim, inner].
#define SOFTMAX_LAYOUT(X)                      \
  X(INT, outer, IN(1), 0, kMaxDim)             \
  X(INT, dim, IN(1), 0, kMaxDim)               \
  X(INT, inner, IN(1), 0, kMaxDim)             \
  X(BOOL, log, IN(1))

// softmax({ x, out }, { outer, dim, inner, log })
#define SOFTMAX_ARGS(X)                        \
  X(F32, x, IN(0), "outer*dim*inner")          \
  X(F32, out, IN(0), "x")                      \
  SOFTMAX_LAYOUT(X)
PT_SIGNATURE(SoftmaxArgs, "softmax", 2, SOFTMAX_ARGS, ARRAYS(0), ATTRS(1))

// softmaxBackward({ y, gy, gx }, { outer, dim, inner, log })
#define SOFTMAX_BACKWARD_ARGS(X)               \
  X(F32, y, IN(0), "outer*dim*inner")          \
  X(F32, gy, IN(0), "y")                       \
  X(F32, gx, IN(0), "y")                       \
  SOFTMAX_LAYOUT(X)
PT_SIGNATURE(SoftmaxBackwardArgs, "softmaxBackward", 2, SOFTMAX_BACKWARD_ARGS, ARRAYS(0), ATTRS(1))

// outer*inner rows are addressed even when dim is 0.
template <class S>
void check_layout(const Args& args, const S& a) {
  args.mul(args.mul(a.outer, a.inner, "rows"), a.dim + 1, "x");
}

void softmax(const Args&, SoftmaxArgs& a) { pt::softmax(a.x.data, a.outer, a.dim, a.inner, a.log, a.out.data); }

void softmax_backward(const Args&, SoftmaxBackwardArgs& a) {
  pt::softmax_backward(a.y.data, a.gy.data, a.outer, a.dim, a.inner, a.log, a.gx.data);
}

// softmaxCrossEntropy({ logits, targets, loss, grad }, { rows, classes, smoothing, ignoreIndex })
#define CROSS_ENTROPY_ARGS(X)                               \
  X(F32, logits, IN(0), "rows*classes")                     \
  X(I32, targets, IN(0), "rows")                            \
  X(F32, loss, IN(0), "rows")                               \
  X(F32_OR_NULL, grad, IN(0), "rows*classes")               \
  X(INT, rows, IN(1), 0, kMaxDim)                           \
  X(INT, classes, IN(1), 0, kMaxDim)                        \
  X(NUMBER, smoothing, IN(1))                               \
  X(INT, ignoreIndex, IN(1), -kMaxElements, kMaxElements)
PT_SIGNATURE(CrossEntropyArgs, "softmaxCrossEntropy", 2, CROSS_ENTROPY_ARGS, ARRAYS(0), ATTRS(1))

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
