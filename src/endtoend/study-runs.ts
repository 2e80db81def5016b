/**
 * The training runs of a study: for every seed, the pipeline (its learned stages on their
 * sub-task data, once, since it never sees (x, y) pairs), then at every size the end-to-end model
 * and the hybrid on the first `size` (x, y) examples of that seed's draw; each measured on the
 * same held-out test images.
 *
 * Every run seeds what it draws (initialisation, data order) from its own stream, so runs are
 * independent of each other: with a sub-run store (src/study/sub-runs.ts), through the study runner (src/study/runner.ts), each finished run is
 * recorded (`seed<s>-pipeline`, `seed<s>-endToEnd-n<size>`, `seed<s>-hybrid-n<size>`, the
 * pipeline's trained weights in its directory, since the hybrids start from them) and a second
 * call takes the recorded ones instead of training them again, with the same errors in the end.
 * An abort of the setup's `signal` stops the training under way after its current step: the call
 * rejects with a StoppedError, and the unfinished run is not recorded.
 *
 * @example
 * const errors = await runStudyTrainings(setup, (p) => bar.update(p.done / p.total));
 * errors.endToEnd[2][0]; // test error at the third size, first seed
 */
import { ValueError } from '../core/errors.js';
import { manualSeed } from '../core/rng.js';
import type { TensorDataset } from '../data/index.js';
import { hasFields, SubRunner, type Executor, type StudyProgress, type SubRunStore } from '../study/index.js';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../train/index.js';
import type { StudyCase } from './cases/index.js';
import { datasetPrefix } from './composite.js';
import type { E2eStudyConfig } from './config.js';
import { hybridFrom, PipelineModel } from './pipeline-model.js';
import { fitModel, testError, trainStage, type RunOptions } from './train-run.js';

/** The three ways of learning the task. */
export type Approach = 'pipeline' | 'endToEnd' | 'hybrid';

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

/** One training run of the study. */
interface RunSpec {
  approach: Approach;
  size: number | null;
  seed: number;
}

/** What a run's record holds. */
interface ErrorRecord {
  error: number;
  /** Training loss by epoch (end-to-end and hybrid runs), for the convergence check; absent in older records. */
  losses?: number[];
}

const isErrorRecord = (v: unknown): v is ErrorRecord => hasFields(v, { error: 'number' });

export interface StudySetup {
  study: StudyCase;
  config: E2eStudyConfig;
  sizes: readonly number[];
  subtaskExamples: number;
  /** The case's data, as its `pools` gave it. */
  pools: unknown;
  test: TensorDataset;
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
  /** Training loss curves of the end-to-end and hybrid runs, by run label (null: not recorded). */
  losses?: { label: string; losses: number[] | null }[];
}

/**
 * A 32-bit seed for one purpose of one run, derived from the study's seed: every run draws from
 * its own stream, so adding sizes or seeds leaves the other runs' numbers unchanged.
 *
 * @example
 * seedFor(0, 5, 1, 2); // the end-to-end model's initialisation, seed 1, size index 2
 */
export function seedFor(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
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
  const { study, config, sizes, pools, test } = setup;
  const t = config.training;
  const base = config.seed;
  const run = (lr: number, seed: number, signal: AbortSignal | undefined): RunOptions => ({
    batchSize: t.batchSize,
    lr,
    epochs: t.epochs,
    minSteps: t.minSteps,
    maxSteps: t.maxSteps,
    seed,
    signal,
  });
  const total = config.seeds * (1 + sizes.length * (config.hybrid ? 2 : 1));
  const runner = new SubRunner<RunSpec, ErrorRecord>({
    store: setup.subRuns,
    signal: setup.signal,
    executor: setup.executor,
    isRecord: isErrorRecord,
    total,
    onEvent: (e) => {
      if (e.kind !== 'done') return;
      const { approach, size, seed } = e.run.spec;
      const label = `${approach}${size === null ? '' : ` n=${size}`} seed ${seed + 1}`;
      onProgress?.({
        approach,
        size,
        seed,
        done: e.index + 1,
        total: e.total,
        error: e.result.error,
        seconds: e.seconds,
        message: `${approach}${size === null ? '' : ` on ${size} examples`}, seed ${seed + 1}: error ${e.result.error.toFixed(3)} (${e.seconds.toFixed(1)} s)`,
        run: label,
        runIndex: Math.min(e.index + 2, e.total),
        runs: e.total,
      });
    },
  });
  /** The recorded error of run `id`, or the error `train` measures (then recorded and reported). */
  const errors: StudyErrors = { pipeline: [], endToEnd: sizes.map(() => []), hybrid: sizes.map(() => []), losses: [] };
  const measured = async (
    id: string,
    approach: Approach,
    size: number | null,
    seed: number,
    train: (signal: AbortSignal | undefined) => Promise<number | ErrorRecord>,
  ): Promise<number> => {
    const record = await runner.run({ id, spec: { approach, size, seed } }, async (_run, ctx) => {
      const out = await train(ctx.signal);
      return typeof out === 'number' ? { error: out } : out;
    });
    if (approach !== 'pipeline') errors.losses!.push({ label: id, losses: record.losses ?? null });
    return record.error;
  };

  for (let s = 0; s < config.seeds; s++) {
    const draw = study.examples(pools, 'train', sizes[sizes.length - 1]!, seedFor(base, 1, s));
    manualSeed(seedFor(base, 2, s));
    const pipeline = study.pipeline(config.hidden);
    const pipelineRun = `seed${s}-pipeline`;
    // set when this process trains the pipeline; else (recorded, or trained by another executor) its weights are loaded
    const here = { trained: false };
    errors.pipeline.push(
      await measured(pipelineRun, 'pipeline', null, s, async (signal) => {
        const subtask = study.subtaskData(pools, setup.subtaskExamples, seedFor(base, 3, s));
        here.trained = true;
        for (const stage of pipeline.learned()) {
          // a stage without sub-task data keeps the weights it was made with (a hand-designed front end the hybrid fine-tunes)
          const data = subtask[stage.name];
          if (data !== undefined) await trainStage(stage, data, run(t.lr, seedFor(base, 4, s), signal));
        }
        // the hybrids of this seed start from these weights, so a resumed study needs them
        if (setup.subRuns !== undefined && config.hybrid)
          saveCheckpoint(setup.subRuns.dir(pipelineRun), {
            step: 0,
            epoch: 0,
            model: new PipelineModel(pipeline).stateDict(),
          });
        return testError(new PipelineModel(pipeline), test, study.error);
      }),
    );
    if (!here.trained && config.hybrid) {
      if (setup.subRuns === undefined)
        throw new ValueError(
          pipelineRun,
          'the pipeline was trained elsewhere, but there is no sub-run store to load its weights from; the hybrids start from them',
        );
      const dir = setup.subRuns.dir(pipelineRun);
      const saved = latestCheckpoint(dir);
      if (saved === null)
        throw new ValueError(dir, `no checkpoint of the pipeline ${pipelineRun} recorded; the hybrids start from it`);
      new PipelineModel(pipeline).loadStateDict(loadCheckpoint(saved.path).model, { strict: true });
    }

    for (const [k, size] of sizes.entries()) {
      const data = datasetPrefix(draw, size);
      errors.endToEnd[k]!.push(
        await measured(`seed${s}-endToEnd-n${size}`, 'endToEnd', size, s, async (signal) => {
          manualSeed(seedFor(base, 5, s, k));
          const e2e = study.endToEnd(config.hidden);
          const losses = await fitModel(e2e, data, study.loss, run(t.lr, seedFor(base, 6, s, k), signal));
          return { error: testError(e2e, test, study.error), losses };
        }),
      );
      if (!config.hybrid) continue;
      errors.hybrid[k]!.push(
        await measured(`seed${s}-hybrid-n${size}`, 'hybrid', size, s, async (signal) => {
          // seeded on its own (the copy draws fresh modules before taking the pipeline's weights), so
          // nothing it draws depends on whether the end-to-end run before it was trained or recorded
          manualSeed(seedFor(base, 9, s, k));
          const hybrid = hybridFrom(pipeline);
          const losses = await fitModel(hybrid, data, study.loss, run(t.hybridLr, seedFor(base, 7, s, k), signal));
          return { error: testError(hybrid, test, study.error), losses };
        }),
      );
    }
  }
  return errors;
}
