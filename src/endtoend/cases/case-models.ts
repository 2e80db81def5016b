/**
 * The networks a YAML case names for its learned stages and its end-to-end model: a perceptron
 * (`{ arch: mlp, hidden: [64] }`) over any input, or a small convolutional network
 * (`{ arch: cnn, channels: [8, 16], hidden: 64 }`: 3×3 convolutions, each followed by ReLU and
 * 2×2 max pooling, then one hidden layer) over images. Without `hidden` they take the study's.
 *
 * @example
 * caseNet({ arch: 'cnn', channels: [8, 16] }, [1, 28, 28], 10, 64).forward(x); // [B, 10] logits
 */
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, type Module } from '../../nn/index.js';

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
  if (shape.length !== 3)
    throw new ValueError(
      'model',
      `cnn needs image inputs [channels, height, width], got [${shape.join(',')}]; use arch: mlp`,
    );
  let [c = 1, h = 1, w = 1] = shape;
  const layers: Module[] = [];
  for (const out of spec.channels) {
    if (h < 2 || w < 2)
      throw new ValueError(
        'model',
        `cnn: ${spec.channels.length} pooling layers shrink [${shape.join(',')}] below 2×2; give fewer channels`,
      );
    layers.push(new Conv2d(c, out, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2));
    [c, h, w] = [out, Math.floor(h / 2), Math.floor(w / 2)];
  }
  const width = spec.hidden ?? hidden;
  return new Sequential(...layers, new Flatten(), new Linear(c * h * w, width), new ReLU(), new Linear(width, outputs));
}
