/**
 * Each Keras layer class a TF.js layers model may hold, as polytask computes it: the modules that
 * own its weights (standard `Conv2d`, `Linear`, `BatchNorm2d`…, so fine-tuning, LoRA and state
 * dicts treat an imported model like any other) and the function from its inputs to its output.
 *
 * Keras computes channels last; polytask computes channels first. Inside the graph every 4-D value
 * is [N, C, H, W]: kernels are transposed once when loaded (Conv2D's [kh, kw, in, out] becomes
 * [out, in, kh, kw]; Dense's [in, out] becomes [out, in]), a channel axis (-1) becomes axis 1, and
 * Flatten reorders to channels last first, so that the Dense after it sees Keras's order. TF's
 * "same" padding (more at the bottom and right when the total is odd) is padded explicitly.
 *
 * @example
 * const built = buildLayer(layer, weightsOf, 'model.json');
 * built.apply([x], false);
 */
import { FormatError } from '../../../core/errors.js';
import { concat, conv2d, dropout, maxPool2d, avgPool2d, zeros, full, Tensor } from '../../../tensor/index.js';
import { BatchNorm2d, Conv2d, Linear } from '../../../nn/index.js';
import type { AnyModule } from '../../../nn/index.js';
import type { TopologyLayer } from './topology.js';
import type { NamedWeight } from './weights.js';

/** A layer ready to run: its weight-holding module (if any) and its computation. */
export interface BuiltLayer {
  module?: AnyModule;
  /** State-dict entries of `module`, from the file's weights, in polytask's layout. */
  state: Record<string, Tensor>;
  apply(inputs: readonly Tensor[], training: boolean): Tensor;
}

/** Finds a layer's weight by its short name (`kernel`, `bias`, `gamma`, …). */
export type WeightLookup = (layer: string, short: string) => NamedWeight | undefined;

type Config = Readonly<Record<string, unknown>>;

const pairOf = (v: unknown, fallback: number): [number, number] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 0)
    ? [v[0] as number, v[1] as number]
    : Number.isInteger(v)
      ? [v as number, v as number]
      : [fallback, fallback];

/** A weight as a tensor of `shape`, its axes first reordered by `perm` (out axis k = in axis perm[k]). */
function tensorOf(w: NamedWeight, shape: readonly number[], perm?: readonly number[]): Tensor {
  const t = new Tensor(w.data, [...w.shape]);
  return (perm === undefined ? t : t.permute(perm)).reshape(shape);
}

/** Applies a Keras activation by name. */
function activate(x: Tensor, name: unknown, where: string, file: string): Tensor {
  switch (name ?? 'linear') {
    case 'linear':
      return x;
    case 'relu':
      return x.relu();
    case 'relu6':
      return x.relu6();
    case 'sigmoid':
      return x.sigmoid();
    case 'tanh':
      return x.tanh();
    case 'softplus':
      return x.softplus();
    case 'swish':
    case 'silu':
      return x.silu();
    case 'softmax':
      return x.softmax(1);
    default:
      throw new FormatError(file, `${where}: activation ${JSON.stringify(name)} is not supported`);
  }
}

/** Zero padding of a [N, C, H, W] value: rows above and below, columns left and right. */
export function pad2d(x: Tensor, top: number, bottom: number, left: number, right: number, value = 0): Tensor {
  const [n, c, h] = x.shape as [number, number, number, number];
  const fill = (shape: number[]): Tensor => (value === 0 ? zeros(shape) : full(shape, value));
  let y = x;
  if (top + bottom > 0)
    y = concat(
      [
        ...(top > 0 ? [fill([n, c, top, x.shape[3]!])] : []),
        y,
        ...(bottom > 0 ? [fill([n, c, bottom, x.shape[3]!])] : []),
      ],
      2,
    );
  const hh = h + top + bottom;
  if (left + right > 0)
    y = concat([...(left > 0 ? [fill([n, c, hh, left])] : []), y, ...(right > 0 ? [fill([n, c, hh, right])] : [])], 3);
  return y;
}

/** TF's "same" padding of one axis: [before, after]. */
function samePadding(size: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function channelsLast(cfg: Config, where: string, file: string): void {
  if (cfg.data_format !== undefined && cfg.data_format !== 'channels_last')
    throw new FormatError(file, `${where}: data_format ${JSON.stringify(cfg.data_format)}; expected channels_last`);
}

/** The channel axis of a Keras axis on a value of `ndim` dimensions in polytask's layout. */
function axisOf(axis: unknown, ndim: number, where: string, file: string): number {
  const a = typeof axis === 'number' ? axis : Array.isArray(axis) && axis.length === 1 ? (axis[0] as number) : -1;
  const last = a === -1 || a === ndim - 1;
  if (ndim === 4 && last) return 1;
  if (ndim === 2 && last) return 1;
  throw new FormatError(
    file,
    `${where}: axis ${JSON.stringify(axis)} on a ${ndim}-d value; only the channel axis (-1) is supported`,
  );
}

/** A convolution (plain or depthwise) with TF padding applied at run time. */
function convLayer(l: TopologyLayer, get: WeightLookup, file: string, depthwise: boolean): BuiltLayer {
  const cfg = l.config;
  const where = `layer ${l.name} (${l.className})`;
  channelsLast(cfg, where, file);
  const kernel = get(l.name, depthwise ? 'depthwise_kernel' : 'kernel');
  if (kernel === undefined || kernel.shape.length !== 4) throw new FormatError(file, `${where}: no 4-d kernel weight`);
  const [kh, kw, cin, last] = kernel.shape as [number, number, number, number];
  const outChannels = depthwise ? cin * last : last;
  const useBias = cfg.use_bias !== false;
  const bias = useBias ? get(l.name, 'bias') : undefined;
  if (useBias && (bias === undefined || bias.data.length !== outChannels))
    throw new FormatError(file, `${where}: expected a bias of ${outChannels} values`);
  const stride = pairOf(cfg.strides, 1);
  const dilation = pairOf(cfg.dilation_rate, 1);
  const groups = depthwise ? cin : 1;
  const module = new Conv2d(cin, outChannels, [kh, kw], { stride, dilation, groups, bias: useBias });
  // Conv2D [kh, kw, in, out] → [out, in, kh, kw]; depthwise [kh, kw, in, m] → [in·m, 1, kh, kw] (out channel c·m + j)
  const weight = depthwise
    ? tensorOf(kernel, [outChannels, 1, kh, kw], [2, 3, 0, 1])
    : tensorOf(kernel, [outChannels, cin, kh, kw], [3, 2, 0, 1]);
  const state: Record<string, Tensor> = { weight };
  if (bias !== undefined) state.bias = tensorOf(bias, [outChannels]);
  const same = cfg.padding === 'same';
  if (!same && cfg.padding !== 'valid' && cfg.padding !== undefined)
    throw new FormatError(file, `${where}: padding ${JSON.stringify(cfg.padding)}; expected same or valid`);
  return {
    module,
    state,
    apply: ([x]) => {
      let input = x!;
      if (same) {
        const [t, b] = samePadding(input.shape[2]!, kh, stride[0], dilation[0]);
        const [le, r] = samePadding(input.shape[3]!, kw, stride[1], dilation[1]);
        input = pad2d(input, t, b, le, r);
      }
      const y = conv2d(input, module.weight, module.bias, { stride, dilation, groups });
      return activate(y, cfg.activation, where, file);
    },
  };
}

function batchNormLayer(l: TopologyLayer, get: WeightLookup, file: string): BuiltLayer {
  const cfg = l.config;
  const where = `layer ${l.name} (BatchNormalization)`;
  const mean = get(l.name, 'moving_mean');
  const variance = get(l.name, 'moving_variance');
  if (mean === undefined || variance === undefined)
    throw new FormatError(file, `${where}: no moving_mean/moving_variance`);
  const c = mean.data.length;
  const eps = typeof cfg.epsilon === 'number' ? cfg.epsilon : 1e-3;
  const momentum = typeof cfg.momentum === 'number' ? 1 - cfg.momentum : 0.01;
  const gamma = get(l.name, 'gamma');
  const beta = get(l.name, 'beta');
  const state: Record<string, Tensor> = {
    weight: gamma === undefined ? full([c], 1) : tensorOf(gamma, [c]),
    bias: beta === undefined ? zeros([c]) : tensorOf(beta, [c]),
    running_mean: tensorOf(mean, [c]),
    running_var: tensorOf(variance, [c]),
    num_batches_tracked: new Tensor(new Int32Array(1), []),
  };
  const module = new BatchNorm2d(c, { eps, momentum });
  return {
    module,
    state,
    apply: ([x]) => {
      axisOf(cfg.axis, x!.ndim, where, file);
      // a [N, C] value is normalised as [N, C, 1, 1]: the same statistics as BatchNorm1d's
      return x!.ndim === 4 ? module.forward(x!) : module.forward(x!.reshape([...x!.shape, 1, 1])).reshape(x!.shape);
    },
  };
}

function denseLayer(l: TopologyLayer, get: WeightLookup, file: string): BuiltLayer {
  const cfg = l.config;
  const where = `layer ${l.name} (Dense)`;
  const kernel = get(l.name, 'kernel');
  if (kernel === undefined || kernel.shape.length !== 2) throw new FormatError(file, `${where}: no 2-d kernel weight`);
  const [inF, outF] = kernel.shape as [number, number];
  const useBias = cfg.use_bias !== false;
  const module = new Linear(inF, outF, { bias: useBias });
  const state: Record<string, Tensor> = { weight: tensorOf(kernel, [outF, inF], [1, 0]) };
  if (useBias) {
    const bias = get(l.name, 'bias');
    if (bias === undefined || bias.data.length !== outF)
      throw new FormatError(file, `${where}: expected a bias of ${outF} values`);
    state.bias = tensorOf(bias, [outF]);
  }
  return {
    module,
    state,
    apply: ([x]) => {
      if (x!.ndim !== 2)
        throw new FormatError(file, `${where}: input of ${x!.ndim} dimensions; only [N, features] is supported`);
      return activate(module.forward(x!), cfg.activation, where, file);
    },
  };
}

function poolLayer(l: TopologyLayer, file: string, max: boolean): BuiltLayer {
  const cfg = l.config;
  const where = `layer ${l.name} (${l.className})`;
  channelsLast(cfg, where, file);
  const size = pairOf(cfg.pool_size, 2);
  const stride = cfg.strides === null || cfg.strides === undefined ? size : pairOf(cfg.strides, size[0]);
  return {
    state: {},
    apply: ([x]) => {
      if (cfg.padding === 'same') {
        const pads = [
          samePadding(x!.shape[2]!, size[0], stride[0], 1),
          samePadding(x!.shape[3]!, size[1], stride[1], 1),
        ];
        if (pads.some(([a, b]) => a + b > 0))
          throw new FormatError(file, `${where}: "same" padding that pads is not supported for pooling`);
      }
      return max ? maxPool2d(x!, size, { stride }) : avgPool2d(x!, size, { stride });
    },
  };
}

function zeroPadding(l: TopologyLayer, file: string): BuiltLayer {
  const p = l.config.padding;
  let t: number, b: number, le: number, r: number;
  if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1])) {
    [t, b] = pairOf(p[0], 0);
    [le, r] = pairOf(p[1], 0);
  } else {
    [t, le] = pairOf(p, 1);
    [b, r] = [t, le];
  }
  if (![t, b, le, r].every((v) => Number.isInteger(v) && v >= 0 && v <= 4096))
    throw new FormatError(
      file,
      `layer ${l.name} (ZeroPadding2D): padding ${JSON.stringify(p)}; expected small non-negative integers`,
    );
  return { state: {}, apply: ([x]) => pad2d(x!, t, b, le, r) };
}

function merge(l: TopologyLayer, file: string): BuiltLayer {
  const where = `layer ${l.name} (${l.className})`;
  return {
    state: {},
    apply: (xs) => {
      if (xs.length < 2) throw new FormatError(file, `${where}: expected at least two inputs`);
      if (l.className === 'Concatenate') return concat(xs, axisOf(l.config.axis, xs[0]!.ndim, where, file));
      const op = l.className === 'Add' ? (a: Tensor, b: Tensor) => a.add(b) : (a: Tensor, b: Tensor) => a.mul(b);
      return xs.slice(1).reduce(op, xs[0]!);
    },
  };
}

/**
 * The layer as polytask runs it.
 *
 * @example
 * buildLayer({ name: 'fc', className: 'Dense', config: { units: 2 }, inputs: ['x'] }, lookup, 'model.json');
 */
export function buildLayer(l: TopologyLayer, get: WeightLookup, file: string): BuiltLayer {
  const where = `layer ${l.name} (${l.className})`;
  const same = (f: (x: Tensor, training: boolean) => Tensor): BuiltLayer => ({
    state: {},
    apply: ([x], t) => f(x!, t),
  });
  switch (l.className) {
    case 'InputLayer':
      return same((x) => x);
    case 'Conv2D':
      return convLayer(l, get, file, false);
    case 'DepthwiseConv2D':
      return convLayer(l, get, file, true);
    case 'BatchNormalization':
      return batchNormLayer(l, get, file);
    case 'Dense':
      return denseLayer(l, get, file);
    case 'Activation':
      return same((x) => activate(x, l.config.activation, where, file));
    case 'ReLU': {
      const max = l.config.max_value;
      if ((l.config.negative_slope ?? 0) !== 0 || (l.config.threshold ?? 0) !== 0)
        throw new FormatError(file, `${where}: only negative_slope 0 and threshold 0 are supported`);
      if (max === null || max === undefined) return same((x) => x.relu());
      if (typeof max !== 'number' || !(max > 0))
        throw new FormatError(file, `${where}: max_value must be a positive number`);
      return same((x) => (max === 6 ? x.relu6() : x.clamp(0, max)));
    }
    case 'Softmax':
      return same((x) => x.softmax(axisOf(l.config.axis, x.ndim, where, file)));
    case 'Add':
    case 'Multiply':
    case 'Concatenate':
      return merge(l, file);
    case 'ZeroPadding2D':
      return zeroPadding(l, file);
    case 'GlobalAveragePooling2D':
      channelsLast(l.config, where, file);
      return same((x) => x.mean([2, 3]));
    case 'GlobalMaxPooling2D':
      channelsLast(l.config, where, file);
      return same((x) => x.max([2, 3]));
    case 'AveragePooling2D':
      return poolLayer(l, file, false);
    case 'MaxPooling2D':
      return poolLayer(l, file, true);
    case 'Flatten':
      // Keras flattens [N, H, W, C]; the graph holds [N, C, H, W]
      return same((x) =>
        x.ndim === 4 ? x.permute([0, 2, 3, 1]).reshape([x.shape[0]!, -1]) : x.reshape([x.shape[0]!, -1]),
      );
    case 'Dropout': {
      const rate = typeof l.config.rate === 'number' && l.config.rate >= 0 && l.config.rate < 1 ? l.config.rate : 0;
      return same((x, training) => (rate > 0 ? dropout(x, rate, training) : x));
    }
    default:
      throw new FormatError(file, `${where}: the layer class ${l.className} is not supported`);
  }
}
