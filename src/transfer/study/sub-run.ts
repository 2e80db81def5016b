/**
 * The transfer study's sub-runs, trainable one at a time by id (src/study/sub-run-trainer.ts):
 * what a worker process or machine runs for a job of `polytask study transfer`. Stage 1 is the
 * pre-training (`source`), which leaves the source model in its directory of the study's sub-run
 * store; stage 2, the fine-tuning runs, load it from there (or from the config's
 * `source.checkpoint`) once per worker. The study submits stage 2 only once stage 1 is recorded.
 * The config is resolved and the data loaded as the study does, once per config.
 *
 * @example
 * await transferSubRunTrainer.train(config, 'source', { dir: (id) => store.dir(id) });
 * const run = await transferSubRunTrainer.train(config, 'finetune-full-b5-seed0', { dir: (id) => store.dir(id) });
 */
import { parseConfig } from '../../config/index.js';
import { ValueError } from '../../core/errors.js';
import { dataDigest, oncePerConfig, type SubRunTrainer } from '../../study/index.js';
import { loadPretrained } from '../checkpoint.js';
import {
  dataSourceStudy,
  isPretrainedStudy,
  sourceCheckpoint,
  transferStudyConfigSchema,
  type TransferStudyConfig,
} from './config.js';
import type { StudyData, TargetData } from './data.js';
import { loadPretrainedStudy, type PretrainedSource } from './pretrained.js';
import { fineTuneGrid, FineTuneRuns, pretrainSource, sourceWeights, SOURCE_RUN } from './runs.js';
import { loadStudyData } from './user-data.js';

interface Prepared {
  c: TransferStudyConfig;
  /** The data, and the source model when it is given weights (`source.from: pretrained`). */
  loaded: { data: StudyData; pretrained: null } | { data: TargetData; pretrained: PretrainedSource };
  /** The fine-tuning runs from the source model at `from` (loaded on the first fine-tuning job). */
  runs: { from: string; runs: FineTuneRuns } | null;
}

/**
 * The last config's data: a worker trains many sub-runs of one study in a row (loaded again when
 * the config or one of its files changed: study/once-per-config.ts).
 */
const prepare = oncePerConfig(
  async (config: unknown): Promise<Prepared> => {
    // the config as the study's run resolves it
    const c = parseConfig(transferStudyConfigSchema, config, 'transfer study config');
    const loaded = isPretrainedStudy(c)
      ? await loadPretrainedStudy(c).then(({ source, data }) => ({ data, pretrained: source }))
      : { data: await loadStudyData(c), pretrained: null };
    return { c, loaded, runs: null };
  },
  (p) => p.loaded.data.files,
);

/** The digest of the images and labels a config loads (and a given source's name), in a fixed order. */
function fingerprintOf({ data, pretrained }: Prepared['loaded']): string {
  const sets = pretrained === null ? [data.source, data.sourceTest] : [];
  return dataDigest([
    ...(pretrained === null ? [] : [pretrained.name]),
    ...[...sets, data.targetPool, data.targetTest].flatMap((set) => [
      `${set.n}:${set.height}x${set.width}:${set.classNames.join(',')}`,
      set.images,
      set.labels,
    ]),
  ]);
}

/** Whether the config's study pre-trains its source (sub-run `source`). */
const pretrainsSource = (c: TransferStudyConfig): boolean =>
  !isPretrainedStudy(c) && sourceCheckpoint(dataSourceStudy(c)) === undefined;

/**
 * Trains the transfer study's sub-runs by id.
 *
 * @example
 * await transferSubRunTrainer.ids({ target: { budgets: [5] }, fineTune: { seeds: [0], strategies: ['full'] } }); // ['source', 'finetune-full-b5-seed0']
 */
export const transferSubRunTrainer: SubRunTrainer = {
  files: true,
  ids: async (config) => {
    const { c } = await prepare(config);
    return [...(pretrainsSource(c) ? [SOURCE_RUN] : []), ...fineTuneGrid(c).map((r) => r.id)];
  },
  fingerprint: async (config) => fingerprintOf((await prepare(config)).loaded),
  train: async (config, id, ctx) => {
    const p = await prepare(config);
    const { c, loaded } = p;
    const dir = ctx.dir;
    if (id === SOURCE_RUN && loaded.pretrained === null && pretrainsSource(c)) {
      const { record } = await pretrainSource(dataSourceStudy(c), loaded.data, {
        signal: ctx.signal,
        dir: dir?.(SOURCE_RUN),
        onEpoch: (e) => ctx.onActivity?.({ epoch: e.epoch, epochs: e.epochs, loss: e.loss }),
      });
      return record;
    }
    const run = fineTuneGrid(c).find((r) => r.id === id);
    if (run === undefined)
      throw new ValueError(
        `transfer sub-run '${id}'`,
        `not in this study's grid (source, finetune-<strategy>-b<budget>-seed<seed>)`,
      );
    if (loaded.pretrained !== null) {
      const given = loaded.pretrained;
      if (p.runs?.from !== given.name)
        p.runs = {
          from: given.name,
          runs: new FineTuneRuns(c, loaded.data, given.description, sourceWeights(given.model)),
        };
      return p.runs.runs.train(run.spec, ctx.signal);
    }
    const from = sourceCheckpoint(dataSourceStudy(c)) ?? dir?.(SOURCE_RUN);
    if (from === undefined)
      throw new ValueError(
        `transfer sub-run '${id}'`,
        'its source model is pre-trained by sub-run source, and this job names no sub-run directory to load it from',
      );
    if (p.runs?.from !== from) {
      const { model, description } = loadPretrained(from);
      p.runs = { from, runs: new FineTuneRuns(c, loaded.data, description, sourceWeights(model)) };
    }
    return p.runs.runs.train(run.spec, ctx.signal);
  },
};
