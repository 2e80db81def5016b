/**
 * Activations that are not a single elementwise kernel: softmax and logSoftmax along any axis (the
 * kernel sees x as [outer, dim, inner]), softplus, SiLU, ReLU6, hard sigmoid and hard swish,
 * written from primitive ops so that autograd differentiates them and no backend needs a kernel
 * for them; and GELU, the unary op 'gelu' (one pass and two saved arrays instead of five: it sits
 * on the widest activations of a transformer).
 *
 * @example
 * softmax(logits, 1, true); // log-probabilities over classes
 * gelu(x);                  // x·Φ(x), same shape as x
 */
import { emptyF32 } from '../../core/dtype.js';
import { normAxis, splitAround } from '../../core/shape.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { binaryOp, clamp, requireFloat, unaryOp, where } from './elementwise.js';

export function softmax(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  requireFloat(name, x);
  const a = normAxis(name, axis, x.ndim);
  const [outer, dim, inner] = splitAround(x.shape, a);
  const out = emptyF32(x.size);
  const attrs = { outer, dim, inner, log };
  getBackend().softmax({ x: x.data as Float32Array, out }, attrs);
  return record(new Tensor(out, x.shape), name, [x], (g) => {
    const gx = emptyF32(x.size);
    getBackend().softmaxBackward({ y: out, gy: g.data as Float32Array, gx }, attrs);
    return [new Tensor(gx, x.shape)];
  });
}

/**
 * Exact GELU, x·Φ(x) = x·0.5·(1 + erf(x/√2)) (PyTorch's default, evaluated in its order).
 *
 * @example
 * gelu(tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 */
export function gelu(x: Tensor): Tensor {
  requireFloat('gelu', x);
  return unaryOp('gelu', x);
}

/** Above this input softplus returns x itself, as PyTorch's `threshold=20`. */
const SOFTPLUS_THRESHOLD = 20;

/**
 * log(1 + eˣ), as PyTorch computes it: x above 20, else log1p(exp(x)). The exponent is clamped at
 * 20 so the branch `where` discards can neither overflow nor send NaN into the gradient.
 *
 * @example
 * softplus(tensor([-1, 0, 30])); // [0.3133, 0.6931, 30]
 */
export function softplus(x: Tensor): Tensor {
  requireFloat('softplus', x);
  const smooth = unaryOp('log1p', unaryOp('exp', clamp(x, -Infinity, SOFTPLUS_THRESHOLD)));
  return where(binaryOp('gt', x, SOFTPLUS_THRESHOLD), x, smooth);
}

/**
 * SiLU (swish), x·σ(x).
 *
 * @example
 * silu(tensor([-1, 0, 1])); // [-0.2689, 0, 0.7311]
 */
export function silu(x: Tensor): Tensor {
  requireFloat('silu', x);
  return binaryOp('mul', x, unaryOp('sigmoid', x));
}

/**
 * ReLU6, min(max(x, 0), 6) (MobileNetV2).
 *
 * @example
 * relu6(tensor([-1, 3, 7])); // [0, 3, 6]
 */
export function relu6(x: Tensor): Tensor {
  requireFloat('relu6', x);
  return clamp(x, 0, 6);
}

/**
 * Hard sigmoid, relu6(x + 3)/6, as PyTorch's `hardsigmoid` (MobileNetV3's squeeze-excitation gate).
 *
 * @example
 * hardsigmoid(tensor([-4, 0, 4])); // [0, 0.5, 1]
 */
export function hardsigmoid(x: Tensor): Tensor {
  requireFloat('hardsigmoid', x);
  return binaryOp('div', clamp(binaryOp('add', x, 3), 0, 6), 6);
}

/**
 * Hard swish, x·relu6(x + 3)/6, as PyTorch's `hardswish` (MobileNetV3).
 *
 * @example
 * hardswish(tensor([-4, 1, 4])); // [0, 0.6667, 4]
 */
export function hardswish(x: Tensor): Tensor {
  requireFloat('hardswish', x);
  return binaryOp('mul', x, hardsigmoid(x));
}
