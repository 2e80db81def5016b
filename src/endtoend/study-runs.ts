/**
 * The training runs of a study: for every seed, the pipeline (its learned stages on their
 * sub-task data, once, since it never sees (x, y) pairs), then at every size the end-to-end model
 * and the hybrid on the first `size` (x, y) examples of that seed's draw; each measured on the
 * same held-out test images. They run in two stages through the study runner (study-run-one.ts):
 * the pipelines and end-to-end models first, then the hybrids, which start from their seed's
 * pipeline, so that an executor with several workers trains each stage's runs side by side.
 *
 * Every run seeds what it draws (initialisation, data order) from its own stream, so runs are
 * independent of each other: with a sub-run store (src/study/sub-runs.ts), through the study runner (src/study/runner.ts), each finished run is
 * recorded (`seed<s>-pipeline`, `seed<s>-endToEnd-n<size>`, `seed<s>-hybrid-n<size>`, the
 * pipeline's trained weights in its directory, since the hybrids start from them, wherever they
 * are trained) and a second
 * call takes the recorded ones instead of training them again, with the same errors in the end.
 * An abort of the setup's `signal` stops the training under way after its current step: the call
 * rejects with a StoppedError, and the unfinished run is not recorded.
 *
 * @example
 * const errors = await runStudyTrainings(setup, (p) => bar.update(p.done / p.total));
 * errors.endToEnd[2][0]; // test error at the third size, first seed
 */
import { ValueError } from '../core/errors.js';
import {
  runSubRuns,
  type ConvergenceCurve,
  type Executor,
  type StudyProgress,
  type SubRun,
  type SubRunStore,
} from '../study/index.js';
import {
  E2eRuns,
  e2eStages,
  isErrorRecord,
  recordCurves,
  runId,
  type Approach,
  type ErrorRecord,
  type RunSpec,
  type RunsSetup,
} from './study-run-one.js';

export { seedFor, type Approach } from './study-run-one.js';

/** Reported after every training run: the common fields, and the run's approach, size, seed and error. */
export type E2eProgress = StudyProgress<{
  approach: Approach;
  /** (x, y) examples the run trained on; null for the pipeline, which trains on sub-task data only. */
  size: number | null;
  /** Index of the seed, 0-based. */
  seed: number;
  /** Runs finished, this one included, and runs in the whole study. */
  done: number;
  total: number;
  /** The run's test error. */
  error: number;
  /** The run's wall time. */
  seconds: number;
}>;

export interface StudySetup extends RunsSetup {
  /** Records finished runs, and holds those of an interrupted run of the same study. */
  subRuns?: SubRunStore | undefined;
  /** Stops the study after the current training step (StoppedError). */
  signal?: AbortSignal | undefined;
  /** Trains the pending runs (default: in this process). */
  executor?: Executor | undefined;
}

/** Test errors: the pipeline's by seed; the others by size index, then seed. */
export interface StudyErrors {
  pipeline: number[];
  endToEnd: number[][];
  hybrid: number[][];
  /** The training (and validation) curves of every run, by run label, for the convergence check. */
  curves?: ConvergenceCurve[];
}

/**
 * Trains and tests every run of the study.
 *
 * @example
 * const errors = await runStudyTrainings(setup);
 */
export async function runStudyTrainings(
  setup: StudySetup,
  onProgress?: (p: E2eProgress) => void,
): Promise<StudyErrors> {
  const { config, sizes, subRuns } = setup;
  const runs = new E2eRuns(setup);
  const { stage1, stage2 } = e2eStages(config, sizes);
  const total = stage1.length + stage2.length;
  let done = 0;
  const stage = (grid: SubRun<RunSpec>[]): Promise<ErrorRecord[]> =>
    runSubRuns(grid, {
      store: subRuns,
      signal: setup.signal,
      executor: setup.executor,
      isRecord: isErrorRecord,
      total,
      onEvent: (e) => {
        if (e.kind !== 'done') return;
        done += 1;
        const { approach, size, seed } = e.run.spec;
        const label = `${approach}${size === null ? '' : ` n=${size}`} seed ${seed + 1}`;
        onProgress?.({
          approach,
          size,
          seed,
          done,
          total,
          error: e.result.error,
          seconds: e.seconds,
          message: `${approach}${size === null ? '' : ` on ${size} examples`}, seed ${seed + 1}: error ${e.result.error.toFixed(3)} (${e.seconds.toFixed(1)} s)`,
          run: label,
          runIndex: Math.min(done + 1, total),
          runs: total,
        });
      },
      train: (run, ctx) =>
        runs.train(run.spec, { signal: ctx.signal, dir: subRuns === undefined ? undefined : (id) => subRuns.dir(id) }),
    });
  const records = new Map<string, ErrorRecord>();
  for (const grid of [stage1, stage2]) {
    const results = await stage(grid);
    grid.forEach((run, k) => records.set(run.id, results[k]!));
  }
  // assembled in the study's order: by seed, the pipeline, then by size the end-to-end model and the hybrid
  const errors: StudyErrors = { pipeline: [], endToEnd: sizes.map(() => []), hybrid: sizes.map(() => []), curves: [] };
  const recorded = (spec: RunSpec): ErrorRecord => {
    const id = runId(spec);
    const record = records.get(id);
    if (record === undefined) throw new ValueError(`e2e sub-run '${id}'`, 'has no record after its stage ran');
    errors.curves!.push(...recordCurves(id, record));
    return record;
  };
  for (let seed = 0; seed < config.seeds; seed++) {
    errors.pipeline.push(recorded({ approach: 'pipeline', size: null, seed }).error);
    for (const [k, size] of sizes.entries()) {
      errors.endToEnd[k]!.push(recorded({ approach: 'endToEnd', size, seed }).error);
      if (config.hybrid) errors.hybrid[k]!.push(recorded({ approach: 'hybrid', size, seed }).error);
    }
  }
  return errors;
}
