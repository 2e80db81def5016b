/**
 * Building blocks the zoo shares, with torchvision's names: `convNormActivation` (torchvision's
 * `Conv2dNormActivation`: a Sequential of conv "0", batch norm "1" and an optional activation "2"),
 * `makeDivisible` (channel rounding of the MobileNets), and the option checks.
 *
 * @example
 * convNormActivation(3, 32, 3, { stride: 2, activation: () => new nn.ReLU6() }); // 0.weight, 1.running_mean, ...
 */
import { ValueError } from '../../core/errors.js';
import { BatchNorm2d, Conv2d, Sequential, type BatchNormOptions, type Module } from '../../nn/index.js';

export interface ConvNormActivationOptions {
  stride?: number;
  groups?: number;
  dilation?: number;
  /** Builds the activation ("2"); null or absent leaves it out. */
  activation?: (() => Module) | null;
  /** Batch-norm options (MobileNetV3 uses eps 0.001, momentum 0.01). */
  norm?: BatchNormOptions;
}

/**
 * Conv2d (no bias, padding (k−1)/2·dilation) + BatchNorm2d + activation, named "0", "1", "2".
 *
 * @example
 * convNormActivation(16, 16, 3, { groups: 16, activation: () => new nn.ReLU() }); // depthwise
 */
export function convNormActivation(
  inChannels: number,
  outChannels: number,
  kernelSize: number,
  opts: ConvNormActivationOptions = {},
): Sequential {
  const dilation = opts.dilation ?? 1;
  const layers: Module[] = [
    new Conv2d(inChannels, outChannels, kernelSize, {
      stride: opts.stride ?? 1,
      padding: ((kernelSize - 1) / 2) * dilation,
      dilation,
      groups: opts.groups ?? 1,
      bias: false,
    }),
    new BatchNorm2d(outChannels, opts.norm ?? {}),
  ];
  if (opts.activation) layers.push(opts.activation());
  return new Sequential(...layers);
}

/**
 * torchvision's `_make_divisible`: v rounded to the nearest multiple of `divisor` (at least
 * `divisor`), never more than 10% below v.
 *
 * @example
 * makeDivisible(32 * 0.75, 8); // 24
 */
export function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/**
 * Throws unless v is a positive integer; returns it.
 *
 * @example
 * positiveInt('resnet18', 'numClasses', opts.numClasses ?? 1000);
 */
export function positiveInt(model: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new ValueError(model, `${name} must be a positive integer, got ${v}`);
  return v;
}
