/**
 * The networks a YAML case names for its learned stages and its end-to-end model: a perceptron
 * (`{ arch: mlp, hidden: [64] }`) over any input, or a small convolutional network
 * (`{ arch: cnn, channels: [8, 16], hidden: 64 }`: models.ts' convNet, the built-in cases' network:
 * 3×3 convolutions, each followed by ReLU and 2×2 max pooling, then one hidden layer) over images. Without `hidden` they take the study's.
 *
 * @example
 * caseNet({ arch: 'cnn', channels: [8, 16] }, [1, 28, 28], 10, 64).forward(x); // [B, 10] logits
 */
import { z } from 'zod';
import { sizeOf } from '../../core/shape.js';
import { Flatten, Linear, ReLU, Sequential, type Module } from '../../nn/index.js';
import { convNet } from '../models.js';

const positiveInt = z.number().int().positive();

/** A case's network: mlp (default) or cnn. */
export const caseModelSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('arch' in v) ? { arch: 'mlp', ...v } : v),
  z.discriminatedUnion('arch', [
    z.strictObject({ arch: z.literal('mlp'), hidden: z.array(positiveInt).optional() }),
    z.strictObject({
      arch: z.literal('cnn'),
      channels: z.array(positiveInt).min(1).max(4).default([8, 16]),
      hidden: positiveInt.optional(),
    }),
  ]),
);
export type CaseModel = z.output<typeof caseModelSchema>;

/**
 * The untrained network `spec` for inputs of `shape` (one sample) and `outputs` raw outputs;
 * `hidden` is the study's width where the spec gives none.
 *
 * @example
 * caseNet({ arch: 'mlp' }, [4], 3, 32); // Flatten → Linear(4, 32) → ReLU → Linear(32, 3)
 */
export function caseNet(spec: CaseModel, shape: readonly number[], outputs: number, hidden: number): Sequential {
  if (spec.arch === 'mlp') {
    const layers: Module[] = [new Flatten()];
    let width = sizeOf(shape);
    for (const h of spec.hidden ?? [hidden]) {
      layers.push(new Linear(width, h), new ReLU());
      width = h;
    }
    return new Sequential(...layers, new Linear(width, outputs));
  }
  return convNet(shape, outputs, { channels: spec.channels, hidden: spec.hidden ?? hidden }, 'model');
}
