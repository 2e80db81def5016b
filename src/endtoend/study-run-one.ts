/**
 * One training run of the end-to-end study, as the study (study-runs.ts) and a worker
 * (study-sub-run.ts) both train it. The runs come in two stages: stage 1, every seed's pipeline
 * (its learned stages on their sub-task data; its weights left in its directory of the sub-run
 * store when hybrids follow) and every end-to-end model; stage 2, the hybrids, each a copy of its
 * seed's trained pipeline fine-tuned end to end. Every run seeds what it draws from its own
 * stream (seedFor), so any process that holds the case's data, and for a hybrid its pipeline's
 * weights, trains it to the same record.
 *
 * @example
 * const runs = new E2eRuns({ study, config, sizes, subtaskExamples, pools, test });
 * const { stage1, stage2 } = e2eStages(config, sizes);
 * await runs.train(stage1[0]!.spec, { dir: (id) => store.dir(id) }); // seed0-pipeline
 */
import { ValueError } from '../core/errors.js';
import { manualSeed } from '../core/rng.js';
import type { TensorDataset } from '../data/index.js';
import { hasFields, type ConvergenceCurve, type SubRun } from '../study/index.js';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../train/index.js';
import type { StudyCase } from './cases/index.js';
import { datasetPrefix } from './composite.js';
import type { E2eStudyConfig } from './config.js';
import type { Pipeline } from './pipeline.js';
import { hybridFrom, PipelineModel } from './pipeline-model.js';
import { fitModel, testError, trainStage, type FitSummary, type RunOptions } from './train-run.js';

/** The three ways of learning the task. */
export type Approach = 'pipeline' | 'endToEnd' | 'hybrid';

/** One training run of the study: `seed` is the seed's index, `size` null for the pipeline. */
export interface RunSpec {
  approach: Approach;
  size: number | null;
  seed: number;
}

/** What a run's record holds. */
export interface ErrorRecord {
  error: number;
  /** How each trained model's fit went (the pipeline: one per learned stage), for the convergence check. */
  fits?: FitSummary[];
  /** Training loss by epoch, in records written before `fits`. */
  losses?: number[];
  /** The zoo architecture of the run's networks (`model.arch`, `--arch`); absent: the case's own. */
  arch?: string;
}

/** The record's `arch` field: the configured zoo architecture, if any. */
const archOf = (config: RunsSetup['config']): { arch?: string } =>
  config.model === undefined ? {} : { arch: config.model.arch };

/** Whether a stored sub-run record is a run's. */
export const isErrorRecord = (v: unknown): v is ErrorRecord => hasFields(v, { error: 'number' });

const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/**
 * A record's training curves as the convergence check reads them (a record is not trusted: odd
 * fields are left out).
 *
 * @example
 * recordCurves('seed0-endToEnd-n800', record); // [{ label, losses, validation, stopped }]
 */
export function recordCurves(label: string, r: ErrorRecord): ConvergenceCurve[] {
  if (Array.isArray(r.fits))
    return r.fits.flatMap((f, i) =>
      typeof f === 'object' && f !== null && numbers(f.losses)
        ? [
            {
              label: r.fits!.length > 1 ? `${label}/${i}` : label,
              losses: f.losses,
              validation: numbers(f.validation) ? f.validation : null,
              stopped: f.stopped === true,
            },
          ]
        : [],
    );
  return [{ label, losses: numbers(r.losses) ? r.losses : null }];
}

/** What the runs are trained from: the case, its data, and the study's settings. */
export interface RunsSetup {
  study: StudyCase;
  config: E2eStudyConfig;
  sizes: readonly number[];
  subtaskExamples: number;
  /** The case's data, as its `pools` gave it. */
  pools: unknown;
  test: TensorDataset;
}

/** What one run is given besides its spec. */
export interface RunContext {
  signal?: AbortSignal | undefined;
  /** The directory of sub-run `id` in the study's store; absent without a store. */
  dir?: ((id: string) => string) | undefined;
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
 * The sub-run id of a run.
 *
 * @example
 * runId({ approach: 'hybrid', size: 40, seed: 1 }); // 'seed1-hybrid-n40'
 */
export function runId({ approach, size, seed }: RunSpec): string {
  return size === null ? `seed${seed}-${approach}` : `seed${seed}-${approach}-n${size}`;
}

/**
 * The study's runs in two stages (see the module comment), each in the order the study lists
 * them: by seed, the pipeline, then by size the end-to-end model (stage 1) and the hybrid (stage 2).
 *
 * @example
 * e2eStages({ seeds: 1, hybrid: true }, [20, 40]).stage2.map((r) => r.id); // ['seed0-hybrid-n20', 'seed0-hybrid-n40']
 */
export function e2eStages(
  config: Pick<E2eStudyConfig, 'seeds' | 'hybrid'>,
  sizes: readonly number[],
): { stage1: SubRun<RunSpec>[]; stage2: SubRun<RunSpec>[] } {
  const run = (spec: RunSpec): SubRun<RunSpec> => ({ id: runId(spec), spec });
  const seeds = Array.from({ length: config.seeds }, (_, s) => s);
  return {
    stage1: seeds.flatMap((seed) => [
      run({ approach: 'pipeline', size: null, seed }),
      ...sizes.map((size) => run({ approach: 'endToEnd', size, seed })),
    ]),
    stage2: config.hybrid ? seeds.flatMap((seed) => sizes.map((size) => run({ approach: 'hybrid', size, seed }))) : [],
  };
}

/**
 * Trains the study's runs (see the module comment); a pipeline trained here is kept for the
 * hybrids of its seed, one trained elsewhere is loaded from its directory in the store.
 *
 * @example
 * const record = await new E2eRuns(setup).train({ approach: 'endToEnd', size: 40, seed: 0 }, { signal });
 */
export class E2eRuns {
  readonly #pipelines = new Map<number, Pipeline>();
  #draw: { seed: number; examples: TensorDataset } | null = null;

  constructor(readonly setup: RunsSetup) {}

  #options(lr: number, seed: number, signal: AbortSignal | undefined): RunOptions {
    const t = this.setup.config.training;
    return {
      batchSize: t.batchSize,
      lr,
      epochs: t.epochs,
      minSteps: t.minSteps,
      maxSteps: t.maxSteps,
      seed,
      validation: t.validation === false ? null : t.validation,
      ...(signal === undefined ? {} : { signal }),
    };
  }

  /** The (x, y) examples of seed `s` (the largest size's draw; a smaller size takes its prefix). */
  #examples(s: number): TensorDataset {
    const { study, pools, sizes, config } = this.setup;
    if (this.#draw?.seed !== s)
      this.#draw = {
        seed: s,
        examples: study.examples(pools, 'train', sizes[sizes.length - 1]!, seedFor(config.seed, 1, s)),
      };
    return this.#draw.examples;
  }

  /** Seed `s`'s pipeline, untrained, with the modules its seed draws. */
  #pipeline(s: number): Pipeline {
    manualSeed(seedFor(this.setup.config.seed, 2, s));
    return this.setup.study.pipeline(this.setup.config.hidden);
  }

  /** Seed `s`'s trained pipeline: trained here, or loaded from its directory in the store. */
  #trainedPipeline(s: number, ctx: RunContext): Pipeline {
    const known = this.#pipelines.get(s);
    if (known !== undefined) return known;
    const id = runId({ approach: 'pipeline', size: null, seed: s });
    if (ctx.dir === undefined)
      throw new ValueError(
        id,
        'the pipeline was trained elsewhere, but there is no sub-run store to load its weights from; the hybrids start from them',
      );
    const dir = ctx.dir(id);
    const saved = latestCheckpoint(dir);
    if (saved === null)
      throw new ValueError(dir, `no checkpoint of the pipeline ${id} recorded; the hybrids start from it`);
    const pipeline = this.#pipeline(s);
    new PipelineModel(pipeline).loadStateDict(loadCheckpoint(saved.path).model, { strict: true });
    this.#pipelines.set(s, pipeline);
    return pipeline;
  }

  /**
   * Trains run `spec` and measures its test error.
   *
   * @example
   * await runs.train({ approach: 'pipeline', size: null, seed: 0 }, { dir: (id) => store.dir(id) });
   */
  async train(spec: RunSpec, ctx: RunContext = {}): Promise<ErrorRecord> {
    const { study, config, test } = this.setup;
    const base = config.seed;
    const t = config.training;
    const s = spec.seed;
    if (spec.approach === 'pipeline') {
      const pipeline = this.#pipeline(s);
      const subtask = study.subtaskData(this.setup.pools, this.setup.subtaskExamples, seedFor(base, 3, s));
      const fits: FitSummary[] = [];
      for (const stage of pipeline.learned()) {
        // a stage without sub-task data keeps the weights it was made with (a hand-designed front end the hybrid fine-tunes)
        const data = subtask[stage.name];
        if (data !== undefined)
          fits.push(await trainStage(stage, data, this.#options(t.lr, seedFor(base, 4, s), ctx.signal)));
      }
      this.#pipelines.set(s, pipeline);
      // the hybrids of this seed start from these weights, so a resumed study or a worker needs them
      if (ctx.dir !== undefined && config.hybrid)
        saveCheckpoint(ctx.dir(runId(spec)), { step: 0, epoch: 0, model: new PipelineModel(pipeline).stateDict() });
      return { error: testError(new PipelineModel(pipeline), test, study.error), fits, ...archOf(config) };
    }
    const size = spec.size ?? -1;
    const k = this.setup.sizes.indexOf(size);
    if (k < 0) throw new ValueError(runId(spec), `size ${spec.size} is not one of the study's sizes`);
    const data = datasetPrefix(this.#examples(s), size);
    if (spec.approach === 'endToEnd') {
      manualSeed(seedFor(base, 5, s, k));
      const e2e = study.endToEnd(config.hidden);
      const fit = await fitModel(e2e, data, study.loss, this.#options(t.lr, seedFor(base, 6, s, k), ctx.signal));
      return { error: testError(e2e, test, study.error), fits: [fit], ...archOf(config) };
    }
    const pipeline = this.#trainedPipeline(s, ctx);
    // seeded on its own (the copy draws fresh modules before taking the pipeline's weights), so
    // nothing it draws depends on which runs were trained before it, or where
    manualSeed(seedFor(base, 9, s, k));
    const hybrid = hybridFrom(pipeline);
    const fit = await fitModel(hybrid, data, study.loss, this.#options(t.hybridLr, seedFor(base, 7, s, k), ctx.signal));
    return { error: testError(hybrid, test, study.error), fits: [fit], ...archOf(config) };
  }
}
