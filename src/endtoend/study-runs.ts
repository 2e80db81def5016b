/**
 * The training runs of a study: for every seed, the pipeline (its learned stages on their
 * sub-task data, once, since it never sees (x, y) pairs), then at every size the end-to-end model
 * and the hybrid on the first `size` (x, y) examples of that seed's draw; each measured on the
 * same held-out test images.
 *
 * Every run seeds what it draws (initialisation, data order) from its own stream, so runs are
 * independent of each other: with a sub-run store (src/train/sub-runs.ts) each finished run is
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
import { latestCheckpoint, loadCheckpoint, saveCheckpoint, type SubRunStore } from '../train/index.js';
import type { StudyCase } from './cases/index.js';
import { compositeDataset, compositePrefix } from './composite.js';
import type { E2eStudyConfig } from './config.js';
import type { DigitPools } from './digit-pools.js';
import { hybridFrom, PipelineModel } from './pipeline-model.js';
import { fitModel, testError, trainStage, type RunOptions } from './train-run.js';

/** The three ways of learning the task. */
export type Approach = 'pipeline' | 'endToEnd' | 'hybrid';

/** Reported after every training run. */
export interface E2eProgress {
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
}

export interface StudySetup {
  study: StudyCase;
  config: E2eStudyConfig;
  sizes: readonly number[];
  subtaskExamples: number;
  pools: DigitPools;
  test: TensorDataset;
  /** Records finished runs, and holds those of an interrupted run of the same study. */
  subRuns?: SubRunStore;
  /** Stops the study after the current training step (StoppedError). */
  signal?: AbortSignal;
}

/** Test errors: the pipeline's by seed; the others by size index, then seed. */
export interface StudyErrors {
  pipeline: number[];
  endToEnd: number[][];
  hybrid: number[][];
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
export async function runStudyTrainings(setup: StudySetup, onProgress?: (p: E2eProgress) => void): Promise<StudyErrors> {
  const { study, config, sizes, pools, test } = setup;
  const t = config.training;
  const base = config.seed;
  const run = (lr: number, seed: number): RunOptions => ({ batchSize: t.batchSize, lr, epochs: t.epochs, minSteps: t.minSteps, maxSteps: t.maxSteps, seed, signal: setup.signal });
  const total = config.seeds * (1 + sizes.length * (config.hybrid ? 2 : 1));
  let done = 0;
  /** The recorded error of run `id`, or the error `train` measures (then recorded and reported). */
  const measured = async (id: string, approach: Approach, size: number | null, seed: number, train: () => Promise<number>): Promise<number> => {
    done++;
    const recorded = setup.subRuns?.get(id) as { error: number } | undefined;
    if (recorded !== undefined) return recorded.error;
    const started = performance.now();
    const error = await train();
    setup.subRuns?.put(id, { error });
    onProgress?.({ approach, size, seed, done, total, error, seconds: (performance.now() - started) / 1000 });
    return error;
  };

  const errors: StudyErrors = { pipeline: [], endToEnd: sizes.map(() => []), hybrid: sizes.map(() => []) };
  for (let s = 0; s < config.seeds; s++) {
    const draw = study.composites(pools.train, sizes[sizes.length - 1]!, seedFor(base, 1, s));
    manualSeed(seedFor(base, 2, s));
    const pipeline = study.pipeline(config.hidden);
    const pipelineRun = `seed${s}-pipeline`;
    const pipelineRecorded = setup.subRuns?.get(pipelineRun) !== undefined;
    errors.pipeline.push(await measured(pipelineRun, 'pipeline', null, s, async () => {
      const subtask = study.subtaskData(pools, setup.subtaskExamples, seedFor(base, 3, s));
      for (const stage of pipeline.learned()) await trainStage(stage, subtask[stage.name]!, run(t.lr, seedFor(base, 4, s)));
      // the hybrids of this seed start from these weights, so a resumed study needs them
      if (setup.subRuns !== undefined && config.hybrid) saveCheckpoint(setup.subRuns.dir(pipelineRun), { step: 0, epoch: 0, model: new PipelineModel(pipeline).stateDict() });
      return testError(new PipelineModel(pipeline), test, study.error);
    }));
    if (pipelineRecorded && config.hybrid) {
      const dir = setup.subRuns!.dir(pipelineRun);
      const saved = latestCheckpoint(dir);
      if (saved === null) throw new ValueError(dir, `no checkpoint of the pipeline ${pipelineRun} recorded; the hybrids start from it`);
      new PipelineModel(pipeline).loadStateDict(loadCheckpoint(saved.path).model, { strict: true });
    }

    for (const [k, size] of sizes.entries()) {
      const data = compositeDataset(compositePrefix(draw, size));
      errors.endToEnd[k]!.push(await measured(`seed${s}-endToEnd-n${size}`, 'endToEnd', size, s, async () => {
        manualSeed(seedFor(base, 5, s, k));
        const e2e = study.endToEnd(config.hidden);
        await fitModel(e2e, data, study.loss, run(t.lr, seedFor(base, 6, s, k)));
        return testError(e2e, test, study.error);
      }));
      if (!config.hybrid) continue;
      errors.hybrid[k]!.push(await measured(`seed${s}-hybrid-n${size}`, 'hybrid', size, s, async () => {
        // seeded on its own (the copy draws fresh modules before taking the pipeline's weights), so
        // nothing it draws depends on whether the end-to-end run before it was trained or recorded
        manualSeed(seedFor(base, 9, s, k));
        const hybrid = hybridFrom(pipeline);
        await fitModel(hybrid, data, study.loss, run(t.hybridLr, seedFor(base, 7, s, k)));
        return testError(hybrid, test, study.error);
      }));
    }
  }
  return errors;
}
