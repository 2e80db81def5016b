/**
 * Weight initialisers, in place, drawing from the global seeded stream `rng` so that `manualSeed`
 * makes a model's initial weights reproducible. Formulas and defaults follow `torch.nn.init`;
 * fan-in of a weight [out, in, ...kernel] is in·∏kernel and fan-out out·∏kernel.
 *
 * @example
 * manualSeed(0);
 * init.kaimingNormal(layer.weight, { nonlinearity: 'relu' });
 * init.zeros(layer.bias!);
 */
import { ValueError } from '../core/errors.js';
import { rng } from '../core/rng.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../tensor/index.js';

export type Nonlinearity = 'linear' | 'conv2d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'selu';

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain); `slope` is leakyRelu's
 * negative slope (default 0.01).
 *
 * @example
 * calculateGain('relu'); // √2
 */
export function calculateGain(nonlinearity: Nonlinearity, slope = 0.01): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv2d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
      return Math.sqrt(2 / (1 + slope * slope));
    case 'selu':
      return 3 / 4;
  }
}

/**
 * Fan-in and fan-out of a weight of shape [out, in, ...receptive field].
 *
 * @example
 * fans(zeros([16, 3, 5, 5])); // { fanIn: 75, fanOut: 400 }
 */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2)
    throw new ValueError('init', `fan-in and fan-out need at least 2 dimensions, got [${t.shape.join(',')}]`);
  const receptive = sizeOf(t.shape.slice(2));
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/**
 * Fills with U(low, high). Returns t.
 *
 * @example
 * uniform(w, -0.1, 0.1);
 */
export function uniform(t: Tensor, low = 0, high = 1): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.uniform();
  return t;
}

/**
 * Fills with N(mean, std²). Returns t.
 *
 * @example
 * normal(embedding.weight, 0, 0.02);
 */
export function normal(t: Tensor, mean = 0, std = 1): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
  return t;
}

/**
 * Fills with N(mean, std²) truncated to [a, b] (torch.nn.init.trunc_normal_: the bounds are
 * absolute values, not multiples of std), by redrawing values outside. Returns t.
 *
 * @example
 * truncNormal(convProj.weight, 0, Math.sqrt(1 / fanIn));
 */
export function truncNormal(t: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  if (!(a < b) || !(std > 0) || mean < a - 5 * std || mean > b + 5 * std)
    throw new ValueError(
      'init',
      `truncNormal needs a < b, std > 0 and the mean near [a, b], got mean ${mean}, std ${std}, [${a}, ${b}]`,
    );
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    let v = mean + std * rng.normal();
    while (v < a || v > b) v = mean + std * rng.normal();
    d[i] = v;
  }
  return t;
}

/**
 * Fills with `value`. Returns t.
 *
 * @example
 * constant(bias, 0.1);
 */
export function constant(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

/** Fills with 0. Returns t. @example zeros(layer.bias!); */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** Fills with 1. Returns t. @example ones(norm.weight!); */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/**
 * Glorot uniform: U(±gain·√(6/(fanIn+fanOut))). Returns t.
 *
 * @example
 * xavierUniform(w, calculateGain('tanh'));
 */
export function xavierUniform(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound);
}

/**
 * Glorot normal: N(0, gain²·2/(fanIn+fanOut)). Returns t.
 *
 * @example
 * xavierNormal(w);
 */
export function xavierNormal(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the leaky ReLU that follows (PyTorch's `a`). Default 0. */
  a?: number;
  /** Preserve the variance of the forward pass ('fanIn', default) or of the backward pass ('fanOut'). */
  mode?: 'fanIn' | 'fanOut';
  /** Default 'leakyRelu' (with slope `a`), as PyTorch. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t);
  const fan = (o.mode ?? 'fanIn') === 'fanIn' ? fanIn : fanOut;
  const gain = calculateGain(o.nonlinearity ?? 'leakyRelu', o.a ?? 0);
  return fan === 0 ? 0 : gain / Math.sqrt(fan);
}

/**
 * He uniform: U(±√3·gain/√fan). With `{ a: √5 }` this is the default init of Linear and Conv2d
 * weights, U(±1/√fanIn). Returns t.
 *
 * @example
 * kaimingUniform(w, { nonlinearity: 'relu' });
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -bound, bound);
}

/**
 * He normal: N(0, gain²/fan). Returns t.
 *
 * @example
 * kaimingNormal(w, { mode: 'fanOut', nonlinearity: 'relu' });
 */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts));
}

/**
 * PyTorch's default init of a Linear or Conv2d layer: weight kaiming-uniform with a = √5, i.e.
 * U(±1/√fanIn), and bias U(±1/√fanIn).
 *
 * @example
 * initLinearLike(conv.weight, conv.bias);
 */
export function initLinearLike(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform(weight, { a: Math.sqrt(5) });
  if (bias !== null) {
    const { fanIn } = fans(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform(bias, -bound, bound);
  }
}
