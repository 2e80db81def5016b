/**
 * Evaluation and prediction: one pass of a loader under `noGrad` with the model in eval mode (its
 * modes restored afterwards), metrics grouped by task as LibMTL groups them, and outputs
 * concatenated over batches.
 *
 * @example
 * const result = evaluate(model, testLoader, { digit: [accuracy(), macroF1()] });
 * result.digit.accuracy; // 0.97
 * const logits = predict(model, testImages, { batchSize: 256 });
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule } from '../nn/index.js';
import { Tensor, concat, noGrad } from '../tensor/index.js';
import type { Metric } from './metrics/index.js';
import { withModesRestored } from './modes.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

/** Metrics by task: `{ left: [accuracy()], right: [accuracy(), macroF1()] }`. */
export type TaskMetrics = Record<string, Metric | readonly Metric[]>;

/** Metric values by task, then by metric name: `{ left: { accuracy: 0.9 } }`. */
export type EvaluationResult = Record<string, Record<string, number>>;

/** What one task's metrics see of a batch. */
export interface TaskView {
  pred: Tensor;
  target: Tensor;
  mask?: Tensor;
}

export interface EvaluateOptions<B> {
  /** The model's output for a batch. Default: `model.forward(batch.x)`. */
  forward?: (batch: B) => unknown;
  /**
   * Each task's prediction, target and mask. Default: with a Tensor output, that output against
   * `batch.y` (and `batch.mask`) for every task; with an output of tensors by task name, each
   * task's output against `batch.y[task]` (and `batch.mask?.[task]`).
   */
  views?: (output: unknown, batch: B) => Record<string, TaskView>;
}

const asList = (m: Metric | readonly Metric[]): readonly Metric[] => (Array.isArray(m) ? m : [m as Metric]);

/** model.forward(batch.x), or an error saying what to pass instead. */
function defaultForward(where: string, model: AnyModule, batch: unknown): unknown {
  const x = (batch as { x?: unknown } | null)?.x;
  if (batch instanceof Tensor) return model.forward(batch);
  if (!(x instanceof Tensor))
    throw new ValueError(where, 'batches are neither tensors nor { x } objects; pass opts.forward');
  return model.forward(x);
}

function isTensorRecord(v: unknown): v is Record<string, Tensor> {
  return (
    typeof v === 'object' && v !== null && !(v instanceof Tensor) && Object.values(v).every((t) => t instanceof Tensor)
  );
}

function defaultViews(output: unknown, batch: unknown, tasks: readonly string[]): Record<string, TaskView> {
  const { y, mask } = (batch ?? {}) as { y?: unknown; mask?: unknown };
  const views = nullRecord<TaskView>();
  for (const task of tasks) {
    const pred = output instanceof Tensor ? output : isTensorRecord(output) ? output[task] : undefined;
    const target = y instanceof Tensor ? y : isTensorRecord(y) ? y[task] : undefined;
    const m = mask instanceof Tensor ? mask : isTensorRecord(mask) ? mask[task] : undefined;
    if (pred === undefined || target === undefined) {
      throw new ValueError(
        'evaluate',
        `cannot tell task '${task}''s prediction and target apart from the output and batch.y; pass opts.views`,
      );
    }
    views[task] = m === undefined ? { pred, target } : { pred, target, mask: m };
  }
  return views;
}

/**
 * Runs `model` over one pass of `loader` (for a DataLoader, its current epoch) without recording
 * gradients and in eval mode, feeding every task's metrics, and returns their values. Metrics are
 * reset first, so the same objects serve every epoch.
 *
 * @example
 * evaluate(model, testLoader, { digit: accuracy() });  // { digit: { accuracy: 0.98 } }
 * evaluate(mtl, loader, { left: [accuracy()], right: [accuracy()] }, {
 *   views: (out, b) => ({ left: { pred: out.left, target: b.y.left }, right: { pred: out.right, target: b.y.right } }),
 * });
 */
export function evaluate<B>(
  model: AnyModule,
  loader: Iterable<B>,
  metrics: TaskMetrics,
  opts: EvaluateOptions<B> = {},
): EvaluationResult {
  const tasks = Object.keys(metrics);
  for (const task of tasks) {
    const names = asList(metrics[task]!).map((m) => m.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new ValueError('evaluate', `task '${task}' has two metrics named '${dup}'`);
    for (const m of asList(metrics[task]!)) m.reset();
  }
  withModesRestored(model, () => {
    model.eval();
    noGrad(() => {
      for (const batch of loader) {
        const output = opts.forward === undefined ? defaultForward('evaluate', model, batch) : opts.forward(batch);
        const views = opts.views === undefined ? defaultViews(output, batch, tasks) : opts.views(output, batch);
        for (const task of tasks) {
          const view = views[task];
          if (view === undefined) throw new ValueError('evaluate', `views() gave nothing for task '${task}'`);
          for (const m of asList(metrics[task]!)) m.update(view.pred, view.target, view.mask);
        }
      }
    });
  });
  const result: EvaluationResult = {};
  for (const task of tasks) result[task] = recordFrom(asList(metrics[task]!).map((m) => [m.name, m.compute()]));
  return result;
}

/**
 * Each metric's direction, in the shape of an EvaluationResult: what a Δm against single-task
 * baselines needs to know which way is better.
 *
 * @example
 * directionsOf({ depth: [mae()] }); // { depth: { mae: false } }
 */
export function directionsOf(metrics: TaskMetrics): Record<string, Record<string, boolean>> {
  return recordFrom(
    Object.entries(metrics).map(([task, ms]) => [task, recordFrom(asList(ms).map((m) => [m.name, m.higherIsBetter]))]),
  );
}

export interface PredictOptions<B, O> {
  /** Rows per forward pass when the input is a tensor. Default 256. */
  batchSize?: number;
  /** The model's output for a batch. Default: `model.forward(batch)` for tensor input, else `model.forward(batch.x)`. */
  forward?: (batch: B) => O;
}

/** Concatenates outputs along the batch axis: tensors, or records of tensors key by key. */
function concatOutputs(outputs: readonly unknown[]): unknown {
  const first = outputs[0];
  if (first instanceof Tensor) return concat(outputs as Tensor[], 0);
  if (isTensorRecord(first)) {
    return recordFrom(
      Object.keys(first).map((k) => [
        k,
        concat(
          outputs.map((o) => (o as Record<string, Tensor>)[k]!),
          0,
        ),
      ]),
    );
  }
  throw new ValueError('predict', 'outputs must be tensors or records of tensors');
}

/**
 * The model's outputs over a tensor of inputs (split into batches of `batchSize` rows) or over one
 * pass of a loader, concatenated along the first axis; without gradients, in eval mode.
 *
 * @example
 * const probs = predict(model, xTest).softmax(1);
 * const heads = predict<Record<string, Tensor>>(mtl, loader);   // { left: [N, 10], right: [N, 10] }
 */
export function predict<O = Tensor, B = unknown>(
  model: AnyModule,
  input: Tensor | Iterable<B>,
  opts: PredictOptions<B, O> = {},
): O {
  const batchSize = opts.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ValueError('predict', `batchSize must be a positive integer, got ${batchSize}`);
  const batches: Iterable<unknown> = input instanceof Tensor ? slices(input, batchSize) : input;
  const outputs: unknown[] = [];
  withModesRestored(model, () => {
    model.eval();
    noGrad(() => {
      for (const batch of batches)
        outputs.push(opts.forward === undefined ? defaultForward('predict', model, batch) : opts.forward(batch as B));
    });
  });
  if (outputs.length === 0) throw new ValueError('predict', 'the input holds no samples');
  return concatOutputs(outputs) as O;
}

function* slices(x: Tensor, batchSize: number): Generator<Tensor> {
  const n = x.shape[0] ?? 0;
  for (let start = 0; start < n; start += batchSize) yield x.slice(0, start, Math.min(n, start + batchSize));
}
