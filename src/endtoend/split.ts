/**
 * Segmentation by a fixed rule: an image cut into equal-width vertical strips (two digits side by
 * side → the two digits). Built from tensor slices, so gradients flow through it.
 *
 * @example
 * const halves = splitColumns(pairs, 2);          // [B,1,28,56] → [B,2,1,28,28]
 * const stage = splitStage([1, 28, 56], 2);       // the same as a pipeline stage
 */
import { ShapeError } from '../core/errors.js';
import { stack, type Tensor } from '../tensor/index.js';
import { ruleStage, type Stage } from './stage.js';

/**
 * Cuts a batch of images [B, C, H, W] into `parts` strips of W/parts columns: [B, parts, C, H, W/parts].
 *
 * @example
 * splitColumns(x, 2).shape; // [B, 2, 1, 28, 28] for x [B, 1, 28, 56]
 */
export function splitColumns(x: Tensor, parts: number): Tensor {
  const width = x.shape[3];
  if (x.ndim !== 4 || width === undefined)
    throw new ShapeError('splitColumns', `expected images [B,C,H,W], got [${x.shape.join(',')}]`);
  if (!Number.isInteger(parts) || parts < 1 || width % parts !== 0) {
    throw new ShapeError('splitColumns', `cannot cut width ${width} into ${parts} equal strips`);
  }
  const strip = width / parts;
  return stack(
    Array.from({ length: parts }, (_, i) => x.slice(3, i * strip, (i + 1) * strip)),
    1,
  );
}

/**
 * A rule stage cutting images of `shape` [C, H, W] into `parts` equal strips.
 *
 * @example
 * const split = splitStage([1, 28, 56], 2);
 * split.output; // sequence of 2 × image [1,28,28]
 */
export function splitStage(shape: readonly [number, number, number], parts: number): Stage {
  const [c, h, w] = shape;
  if (!Number.isInteger(parts) || parts < 1 || w % parts !== 0)
    throw new ShapeError('splitStage', `cannot cut width ${w} into ${parts} equal strips`);
  return ruleStage({
    name: `split into ${parts}`,
    input: { kind: 'image', shape },
    output: { kind: 'sequence', length: parts, item: { kind: 'image', shape: [c, h, w / parts] } },
    differentiable: true,
    run: (x) => splitColumns(x, parts),
  });
}
