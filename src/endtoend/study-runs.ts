/**
 * The training runs of a study: for every seed, the pipeline (its learned stages on their
 * sub-task data, once, since it never sees (x, y) pairs), then at every size the end-to-end model
 * and the hybrid on the first `size` (x, y) examples of that seed's draw; each measured on the
 * same held-out test images.
 *
 * @example
 * const errors = await runStudyTrainings(setup, (p) => bar.update(p.done / p.total));
 * errors.endToEnd[2][0]; // test error at the third size, first seed
 */
import { manualSeed } from '../core/rng.js';
import type { TensorDataset } from '../data/index.js';
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
  const run = (lr: number, seed: number): RunOptions => ({ batchSize: t.batchSize, lr, epochs: t.epochs, minSteps: t.minSteps, maxSteps: t.maxSteps, seed });
  const total = config.seeds * (1 + sizes.length * (config.hybrid ? 2 : 1));
  let done = 0;
  const report = (approach: Approach, size: number | null, seed: number, error: number, started: number): void => {
    done++;
    onProgress?.({ approach, size, seed, done, total, error, seconds: (performance.now() - started) / 1000 });
  };

  const errors: StudyErrors = { pipeline: [], endToEnd: sizes.map(() => []), hybrid: sizes.map(() => []) };
  for (let s = 0; s < config.seeds; s++) {
    const draw = study.composites(pools.train, sizes[sizes.length - 1]!, seedFor(base, 1, s));
    let started = performance.now();
    manualSeed(seedFor(base, 2, s));
    const pipeline = study.pipeline(config.hidden);
    const subtask = study.subtaskData(pools, setup.subtaskExamples, seedFor(base, 3, s));
    for (const stage of pipeline.learned()) await trainStage(stage, subtask[stage.name]!, run(t.lr, seedFor(base, 4, s)));
    const pipelineError = testError(new PipelineModel(pipeline), test, study.error);
    errors.pipeline.push(pipelineError);
    report('pipeline', null, s, pipelineError, started);

    for (const [k, size] of sizes.entries()) {
      const data = compositeDataset(compositePrefix(draw, size));
      started = performance.now();
      manualSeed(seedFor(base, 5, s, k));
      const e2e = study.endToEnd(config.hidden);
      await fitModel(e2e, data, study.loss, run(t.lr, seedFor(base, 6, s, k)));
      const e2eError = testError(e2e, test, study.error);
      errors.endToEnd[k]!.push(e2eError);
      report('endToEnd', size, s, e2eError, started);
      if (!config.hybrid) continue;
      started = performance.now();
      const hybrid = hybridFrom(pipeline);
      await fitModel(hybrid, data, study.loss, run(t.hybridLr, seedFor(base, 7, s, k)));
      const hybridError = testError(hybrid, test, study.error);
      errors.hybrid[k]!.push(hybridError);
      report('hybrid', size, s, hybridError, started);
    }
  }
  return errors;
}
