/**
 * The losses behind each task kind, and the small conversions that let every kind take its targets
 * with missing entries: NaN in float targets, a 0 in the mask, or (class indices) the ignore index.
 * nn.functional's losses average over present entries and return 0 with a zero gradient when none
 * is present, so a batch without labels for a task leaves that task's head and the trunk untouched.
 *
 * @example
 * const loss = defaultTaskLoss('multiclass')(logits, tensor([3, NaN, 1]));  // NaN → ignored
 */
import { ShapeError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';
import { functional as F } from '../nn/index.js';
import type { TaskKind, TaskLoss } from './task.js';

/** crossEntropy's default ignore index: the class index that marks a missing label. */
export const IGNORE_INDEX = -100;

/**
 * `pred` reshaped to `target`'s shape when both hold the same number of elements (a [N, 1] head
 * against [N] targets), so that elementwise losses do not broadcast [N, 1] against [N] into [N, N].
 *
 * @example
 * alignPrediction(randn([4, 1]), zeros([4])).shape; // [4]
 */
export function alignPrediction(pred: Tensor, target: Tensor): Tensor {
  const same = pred.ndim === target.ndim && pred.shape.every((d, i) => d === target.shape[i]);
  return !same && pred.size === target.size ? pred.reshape(target.shape) : pred;
}

/**
 * Class indices as int32, float targets' NaN turned into the ignore index.
 *
 * @example
 * classTargets(tensor([2, NaN])).toArray(); // [2, -100]
 */
export function classTargets(target: Tensor): Tensor {
  if (target.dtype === 'int32') return target;
  const out = Int32Array.from(target.data, (v) => (Number.isNaN(v) ? IGNORE_INDEX : Math.trunc(v)));
  return new Tensor(out, target.shape);
}

/**
 * A mask of whole samples ([N]) reshaped to [N, 1, ...] so that it broadcasts over a target with
 * more axes (a multi-label target [N, L]); a mask of the target's shape is returned as is.
 *
 * @example
 * sampleMask(ones([8]), zeros([8, 4])).shape; // [8, 1]
 */
export function sampleMask(mask: Tensor, target: Tensor): Tensor {
  if (mask.ndim === target.ndim) return mask;
  if (mask.ndim === 1 && mask.shape[0] === target.shape[0])
    return mask.reshape([mask.shape[0]!, ...target.shape.slice(1).map(() => 1)]);
  throw new ShapeError(
    'task mask',
    `mask [${mask.shape.join(',')}] must be [N] or the target's shape [${target.shape.join(',')}]`,
  );
}

const floatMask = (mask: Tensor | undefined, target: Tensor): Tensor | undefined =>
  mask === undefined ? undefined : sampleMask(mask.dtype === 'float32' ? mask : mask.toFloat(), target);

const lossByKind: Readonly<Record<TaskKind, TaskLoss>> = {
  multiclass: (pred, target, mask) => {
    const y = classTargets(target);
    const m = floatMask(mask, y);
    return F.crossEntropy(pred, y, m === undefined ? {} : { mask: m });
  },
  binary: (pred, target, mask) => {
    const m = floatMask(mask, target);
    return F.binaryCrossEntropyWithLogits(alignPrediction(pred, target), target, m === undefined ? {} : { mask: m });
  },
  multilabel: (pred, target, mask) => {
    const m = floatMask(mask, target);
    return F.binaryCrossEntropyWithLogits(alignPrediction(pred, target), target, m === undefined ? {} : { mask: m });
  },
  regression: (pred, target, mask) => {
    const m = floatMask(mask, target);
    return F.mse(alignPrediction(pred, target), target, m === undefined ? {} : { mask: m });
  },
};

/**
 * The loss of a task kind (table in task.ts), taking missing labels as described above.
 *
 * @example
 * defaultTaskLoss('multilabel')(logits, targetsWithNaN, mask);
 */
export function defaultTaskLoss(kind: TaskKind): TaskLoss {
  return lossByKind[kind];
}
