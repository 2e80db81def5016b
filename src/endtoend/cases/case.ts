/**
 * What a built-in end-to-end vs pipeline case provides to the study: how to make its (x, y)
 * images from a pool of single digits, its pipeline (rules and an untrained learned stage) with
 * that stage's sub-task data, its end-to-end model, and its loss and error measure.
 *
 * @example
 * const c = studyCase('digit-sum');
 * const train = c.composites(pools.train, 800, 1);
 * const pipeline = c.pipeline(64);
 */
import type { TensorDataset } from '../../data/index.js';
import type { Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { CompositeSet } from '../composite.js';
import type { DigitPools } from '../digit-pools.js';
import type { Pipeline } from '../pipeline.js';
import type { ValueType } from '../value-type.js';

export interface StudyCase {
  readonly name: string;
  /** One sentence on the task. */
  readonly description: string;
  /** Name of the error measure (lower is better), e.g. 'error rate', 'mean absolute error'. */
  readonly metric: string;
  readonly input: ValueType;
  readonly output: ValueType;
  /** Training sizes of the default study (numbers of end-to-end examples). */
  readonly defaultSizes: readonly number[];
  /** Labelled single digits the pipeline's classifier is trained on by default. */
  readonly defaultSubtaskExamples: number;
  /** `n` (x, y) examples built from the digits of `pool`. */
  composites(pool: DigitPools['train'], n: number, seed: number): CompositeSet;
  /** The pipeline with untrained learned stages. */
  pipeline(hidden: number): Pipeline;
  /** Sub-task data of each learned stage, by stage name: `n` examples drawn from the training pool. */
  subtaskData(pools: DigitPools, n: number, seed: number): Record<string, TensorDataset>;
  /** An untrained end-to-end model: image → output type. */
  endToEnd(hidden: number): Module;
  /** Training loss of an output-type prediction against the targets. */
  loss(pred: Tensor, target: Tensor): Tensor;
  /** The error measure reported on the learning curves (lower is better). */
  error(pred: Tensor, target: Tensor): number;
}
