/**
 * The config of a multi-task `train` (`polytask train --tasks tasks.yaml`): the task description
 * (schema in src/multitask/config/task-description-schema.ts), the weighting method and its
 * options, the trunk, and the same optimizer and training sections as a single-task run. Stored in
 * the run (with the description's path made absolute), so `--resume`, `eval` and `predict` find
 * everything again.
 *
 * ```yaml
 * tasks: examples/digits-tasks.yaml
 * multitask: { method: pcgrad, methodOptions: {} }
 * model: { trunk: auto, width: 10 }   # auto: the CNN for images of 16×16 or more, else the MLP
 * training: { epochs: 5, batchSize: 64 }
 * optimizer: { lr: 0.001 }
 * ```
 *
 * @example
 * const config = validateConfig(multiTaskConfigSchema, { tasks: 'tasks.yaml' }, {});
 * config.multitask.method; // 'ew'
 */
import { z } from 'zod';
import { weightingKeys, type WeightingKey } from '../../multitask/weighting/index.js';
import { optimizerSchema, trainingSchema } from './train-schema.js';

export const multiTaskSectionSchema = z.strictObject({
  /** The loss-weighting method (src/multitask/weighting/). */
  method: z.enum(weightingKeys as readonly WeightingKey[] as [WeightingKey, ...WeightingKey[]]).default('ew'),
  /** Options of the method, e.g. `{ c: 0.4 }` for cagrad. */
  methodOptions: z.record(z.string(), z.unknown()).default({}),
});

export const multiTaskModelSchema = z.strictObject({
  trunk: z.enum(['auto', 'cnn', 'mlp']).default('auto'),
  /** Channels of the first convolution (CNN) or an eighth of the first hidden layer (MLP); 5·width features. */
  width: z.number().int().min(1).max(1024).default(10),
});

export const multiTaskConfigSchema = z.strictObject({
  /** The task description file (YAML or JSON). */
  tasks: z.string().min(1),
  seed: z.number().int().min(0).default(0),
  multitask: multiTaskSectionSchema.prefault({}),
  model: multiTaskModelSchema.prefault({}),
  optimizer: optimizerSchema.default(optimizerSchema.parse({})),
  training: trainingSchema.default(trainingSchema.parse({})),
});

export type MultiTaskConfig = z.output<typeof multiTaskConfigSchema>;

/**
 * Whether a raw config (a file's mapping, a run's stored config) is a multi-task one.
 *
 * @example
 * isMultiTaskConfig({ tasks: 'tasks.yaml' }); // true
 */
export function isMultiTaskConfig(raw: Record<string, unknown>): boolean {
  return Object.hasOwn(raw, 'tasks');
}
