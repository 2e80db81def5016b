/**
 * An end-to-end vs pipeline case: what the study (study.ts) needs to compare a pipeline of
 * separately trained stages with one end-to-end model on a task. The built-in cases (digit-sum,
 * read-number) and a user's own (a JS module exporting this shape, or a YAML file: user-case.ts,
 * yaml-case.ts) are the same kind of object: the study runs them alike.
 *
 * A case owns its data: `pools(seed)` loads it once per study, split into a training part and a
 * held-out test part; `examples` draws (x, y) pairs from one part, `subtaskData` each learned
 * stage's own labelled data from the training part. Everything else builds untrained models.
 *
 * @example
 * const parity: EndToEndCase<DigitPools> = {
 *   name: 'digit-parity', description: 'a handwritten digit → odd or even', metric: 'error rate',
 *   input: { kind: 'image', shape: [1, 28, 28] }, output: { kind: 'classes', n: 2 },
 *   defaultSizes: [50, 100, 200, 400], defaultSubtaskExamples: 300,
 *   pools: (seed) => digitPools(loadMnist(), { seed }),
 *   examples: (pools, part, n, seed) => ...,            // x [n,1,28,28], y [n] int32 parity
 *   pipeline: (hidden) => new Pipeline([classify(hidden), parityRule]),
 *   subtaskData: (pools, n, seed) => ({ 'digit classifier': digitSample(pools.train, n, seed) }),
 *   endToEnd: (hidden) => new EndToEndModel(mlp(784, hidden, 2), { kind: 'classes', n: 2 }),
 *   loss: classNll, error: errorRate,
 * };
 */
import type { DataInputs, TensorDataset } from '../../data/index.js';
import type { Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { Pipeline } from '../pipeline.js';
import type { ValueType } from '../value-type.js';

/**
 * Builds the network of an image model in place of a case's own: images of `shape` [C, H, W] →
 * `outputs` raw outputs (the study's `model: { arch: resnet18 }`, `--arch`).
 */
export type NetBuilder = (shape: readonly number[], outputs: number) => Module;

/** Which part of a case's data: the training part, or the held-out part test examples come from. */
export type CasePart = 'train' | 'test';

/**
 * An end-to-end vs pipeline case (see the module comment). `Pools` is the case's own data, as
 * `pools` returns it and the other methods receive it.
 */
export interface EndToEndCase<Pools = unknown> {
  readonly name: string;
  /** One sentence on the task. */
  readonly description: string;
  /** Name of the error measure (lower is better), e.g. 'error rate', 'mean absolute error'. */
  readonly metric: string;
  /** The type of x (what the pipeline's first stage and the end-to-end model take). */
  readonly input: ValueType;
  /** The type of the answer (what the pipeline's last stage and the end-to-end model give). */
  readonly output: ValueType;
  /** Training sizes of the default study (numbers of end-to-end examples), strictly increasing. */
  readonly defaultSizes: readonly number[];
  /** Labelled examples each learned stage is trained on by default. */
  readonly defaultSubtaskExamples: number;
  /** The case's data for a study with this seed, split into a training and a held-out test part. */
  pools(seed: number): Pools | Promise<Pools>;
  /** `n` (x, y) examples drawn (seeded) from one part: x of the input type, y the targets. */
  examples(pools: Pools, part: CasePart, n: number, seed: number): TensorDataset;
  /**
   * The pipeline with untrained learned stages; `net`, when given (`--arch`), builds the network
   * of each learned stage that reads images, in place of the case's own.
   */
  pipeline(hidden: number, net?: NetBuilder): Pipeline;
  /**
   * Sub-task data of each learned stage, by stage name: `n` examples drawn from the training part.
   * A built-in case may leave a stage out: the pipeline keeps it as made (spoken-digits' mel front
   * end), and only the hybrid trains it. A user's case is checked to give every stage its data.
   */
  subtaskData(pools: Pools, n: number, seed: number): Record<string, TensorDataset>;
  /** An untrained end-to-end model: input type → output type; its network from `net` when given (`--arch`). */
  endToEnd(hidden: number, net?: NetBuilder): Module;
  /** Training loss of an output-type prediction against the targets. */
  loss(pred: Tensor, target: Tensor): Tensor;
  /** The error measure reported on the learning curves (lower is better). */
  error(pred: Tensor, target: Tensor): number;
  /** Files and built-in data the case reads, for the data fingerprint. Default: none. */
  dataInputs?(seed: number): Promise<DataInputs> | DataInputs;
}

/**
 * A case whose data type does not matter to the caller: what the study runs (its methods take
 * the value its own `pools` gave, so any case is one).
 */
export type StudyCase = EndToEndCase<unknown>;
