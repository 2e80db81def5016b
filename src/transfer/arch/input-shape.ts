/**
 * The input an architecture description's model takes, and whether examples of a given shape fit
 * it: an MLP flattens its input, so any shape of the right size fits; a CNN needs the exact
 * [channels, height, width].
 *
 * @example
 * descriptionInputShape({ arch: 'cnn', config: { inChannels: 3, height: 32, width: 32 }, tasks }); // [3, 32, 32]
 * inputFits(mlpDescription, [1, 28, 28]); // true when its inputs are 784
 */
import { sizeOf } from '../../core/shape.js';
import type { ArchDescription } from './types.js';

/**
 * The shape of one example the model of `d` takes (the registry's defaults where the config is silent).
 *
 * @example
 * descriptionInputShape({ arch: 'mlp', config: { inputs: 4 }, tasks }); // [4]
 */
export function descriptionInputShape(d: Pick<ArchDescription, 'arch' | 'config'>): number[] {
  const c = d.config as { inputs?: number; inChannels?: number; height?: number; width?: number };
  return d.arch === 'mlp' ? [c.inputs ?? 784] : [c.inChannels ?? 1, c.height ?? 28, c.width ?? 28];
}

/**
 * Whether examples of `featureShape` fit the model of `d`.
 *
 * @example
 * inputFits({ arch: 'mlp', config: { inputs: 784 }, tasks }, [1, 28, 28]); // true
 */
export function inputFits(d: Pick<ArchDescription, 'arch' | 'config'>, featureShape: readonly number[]): boolean {
  const expected = descriptionInputShape(d);
  return d.arch === 'mlp' ? sizeOf(expected) === sizeOf(featureShape) : expected.join(',') === featureShape.join(',');
}
