/**
 * Whether examples of a given shape fit the model of an architecture description: an MLP
 * flattens its input, so any shape of the right size fits; the other architectures need the
 * exact shape their registry entry declares (`inputShapeOf`).
 *
 * @example
 * inputFits({ arch: 'mlp', config: { inputs: 784 }, tasks }, [1, 28, 28]); // true
 * inputFits({ arch: 'cnn', config: { inChannels: 3, height: 32, width: 32 }, tasks }, [1, 32, 32]); // false
 */
import { sizeOf } from '../../core/shape.js';
import { inputShapeOf } from './registry.js';
import type { ArchDescription } from './types.js';

/**
 * Whether examples of `featureShape` fit the model of `d`.
 *
 * @example
 * inputFits({ arch: 'mlp', config: { inputs: 784 }, tasks }, [1, 28, 28]); // true
 */
export function inputFits(d: Pick<ArchDescription, 'arch' | 'config'>, featureShape: readonly number[]): boolean {
  const expected = inputShapeOf(d);
  return d.arch === 'mlp' ? sizeOf(expected) === sizeOf(featureShape) : expected.join(',') === featureShape.join(',');
}
