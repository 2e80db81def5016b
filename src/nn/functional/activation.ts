/**
 * Activations and the linear map as functions, for forward methods written without layer objects.
 *
 * @example
 * const h = relu(linear(x, w, b));
 */
import { linear as linearOp, type Tensor } from '../../tensor/index.js';

/** max(x, 0). @example relu(x); */
export const relu = (x: Tensor): Tensor => x.relu();
/** Leaky ReLU with the given negative slope (default 0.01). @example leakyRelu(x, 0.2); */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => x.leakyRelu(negativeSlope);
/** Exact (erf) GELU. @example gelu(x); */
export const gelu = (x: Tensor): Tensor => x.gelu();
/** x·σ(x). @example silu(x); */
export const silu = (x: Tensor): Tensor => x.silu();
/** min(max(x, 0), 6). @example relu6(x); */
export const relu6 = (x: Tensor): Tensor => x.relu6();
/** relu6(x + 3)/6. @example hardsigmoid(x); */
export const hardsigmoid = (x: Tensor): Tensor => x.hardsigmoid();
/** x·relu6(x + 3)/6. @example hardswish(x); */
export const hardswish = (x: Tensor): Tensor => x.hardswish();
/** Logistic sigmoid. @example sigmoid(logits); */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** tanh. @example tanh(x); */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** log(1 + eˣ). @example softplus(x); */
export const softplus = (x: Tensor): Tensor => x.softplus();
/** Softmax along `dim` (default last). @example softmax(logits, 1); */
export const softmax = (x: Tensor, dim = -1): Tensor => x.softmax(dim);
/** Log-softmax along `dim` (default last). @example logSoftmax(logits, 1); */
export const logSoftmax = (x: Tensor, dim = -1): Tensor => x.logSoftmax(dim);

/** x·wᵀ + b with w [out, in], as in PyTorch's F.linear. @example linear(x, layer.weight, layer.bias); */
export const linear = (x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor => linearOp(x, weight, bias);
