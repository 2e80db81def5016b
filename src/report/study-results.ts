/**
 * The result shapes of the three studies as the report reads them: plain JSON, as each study
 * writes its `results.json`. The report depends on these shapes, not on the study modules, so a
 * saved result can be drawn again by any later version, and the report stays below the studies in
 * the import hierarchy. Fields a study may add are allowed and ignored.
 *
 * @example
 * const r: TransferResult = { budgets: [10, 100], results: { scratch: { 10: { mean: 0.3, sd: 0.02 } } }, checks: {}, verdict: 'pre-training helps' };
 */

/** A mean and standard deviation over seeds. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** Transfer study: the target metric by strategy and label budget (labelled examples per class). */
export interface TransferResult {
  budgets: number[];
  /** `results[strategy][budget]`: the target test metric over seeds. */
  results: Record<string, Record<string, MeanSd>>;
  /** Sanity checks the study ran (free form: booleans, numbers, messages). */
  checks?: unknown;
  /** The study's conclusion, in words or as a structure with a text. */
  verdict?: unknown;
  /** Name of the metric in `results` (default: accuracy). */
  metric?: string;
}

/** Multi-task study: each task's metric alone and under each weighting method. */
export interface MtlResult {
  /** Task names, or task summaries with a `name`. */
  tasks: (string | { name: string })[];
  /** `results.single[task]` is the single-task baseline; `results[method][task]` each method's. */
  results: Record<string, Record<string, unknown>>;
  /** Δm of each method against the single-task baselines, in percent (higher is better). */
  deltaM: Record<string, number>;
  /** The tasks on which each method does worse than its single-task baseline. */
  negativeTransfer: Record<string, string[]>;
  /**
   * Task affinity (how a step on one task changes another's loss), when measured: one matrix, or
   * one history per method (`{ tasks, meanLookahead }`).
   */
  affinity?: unknown;
  /** Per method, the task weights averaged over windows of steps (`steps[k]` ends window k). */
  weightsOverTime?: Record<string, { steps: number[]; weights: Record<string, number[]> }>;
  verdict?: unknown;
}

/** A point of a learning curve. */
export interface CurvePoint {
  size: number;
  mean: number;
  sd?: number;
}

/**
 * A power law `y = a · n^b + c` fitted to a learning curve (b < 0 for a falling error; a = b = 0
 * for a constant). A study that could not fit one gives nulls, possibly with a `status`.
 */
export interface PowerLawFit {
  a: number | null;
  b: number | null;
  c: number | null;
  status?: string;
}

/** End-to-end vs pipeline: learning curves of each approach, their fits and where they cross. */
export interface E2eResult {
  sizes: number[];
  /** Each approach's curve: values aligned with `sizes`, or points. */
  curves: Record<string, unknown>;
  fits: Record<string, PowerLawFit>;
  /** The training-set size where end-to-end overtakes the pipeline, with its interval. */
  crossover?: { size: number | null; low?: number | null; high?: number | null; status?: string; detail?: string } | null;
  verdict?: unknown;
  /** Name of the metric on the curves (default: error). */
  metric?: string;
}
