/**
 * The multi-task study's sub-runs, trainable one at a time by id (src/study/sub-run-trainer.ts):
 * what a worker process or machine runs for a job of `polytask study mtl`. The config is parsed
 * as the study parses it, the data (loadStudyData: a task description with any kind of input) and
 * grid are built once per config (mtlGrid, the study's own), and the sub-run is trained by
 * trainStudyRun, as in the study's own run.
 *
 * @example
 * const outcome = await mtlSubRunTrainer.train({ epochs: 1, train: 128 }, 'ew-seed0', {});
 */
import { ValueError } from '../../core/errors.js';
import { dataDigest, oncePerConfig, type SubRun, type SubRunTrainer } from '../../study/index.js';
import { parseStudyConfig, type MtlStudyConfig } from './config.js';
import { loadStudyData, type StudyData } from './data.js';
import { mtlGrid } from './grid.js';
import { trainStudyRun } from './pretrain-finetune.js';
import type { RunSpec } from './run-one.js';

interface Prepared {
  c: MtlStudyConfig;
  data: StudyData;
  grid: SubRun<RunSpec>[];
  fingerprint: string;
}

/** A SHA-256 of every dataset's inputs, in the order of their names. */
function dataFingerprint(data: StudyData): string {
  return dataDigest(
    [data.train, data.test].flatMap((part) =>
      Object.entries(part)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .flatMap(([name, ds]) => [
          `${name}:${ds.length}:${ds.featureShape.join('x')}:${ds.tasks.join(',')}`,
          ds.features,
        ]),
    ),
  );
}

/**
 * The last config's data and grid: a worker trains many sub-runs of one study in a row (built
 * again when the config or one of its files changed: study/once-per-config.ts).
 */
const prepare = oncePerConfig(
  async (config: unknown): Promise<Prepared> => {
    const c = parseStudyConfig(config);
    const data = await loadStudyData(c);
    return { c, data, grid: mtlGrid(data, c).grid, fingerprint: dataFingerprint(data) };
  },
  (p) => p.data.files,
);

/**
 * Trains the multi-task study's sub-runs by id.
 *
 * @example
 * await mtlSubRunTrainer.ids({ methods: ['ew'], seeds: [0] }); // ['single:left-seed0', 'single:right-seed0', 'ew-seed0', ...]
 */
export const mtlSubRunTrainer: SubRunTrainer = {
  ids: async (config) => (await prepare(config)).grid.map((r) => r.id),
  fingerprint: async (config) => (await prepare(config)).fingerprint,
  train: async (config, id, ctx) => {
    const { c, data, grid } = await prepare(config);
    const run = grid.find((r) => r.id === id);
    if (run === undefined)
      throw new ValueError(
        `mtl sub-run '${id}'`,
        `not in this study's grid (${grid.length} sub-runs: ${grid
          .slice(0, 3)
          .map((r) => r.id)
          .join(', ')}, ...)`,
      );
    return trainStudyRun(
      data,
      c,
      run.spec,
      (e) =>
        ctx.onActivity?.({
          epoch: e.epoch,
          epochs: c.epochs,
          step: e.progress.stepsDone,
          steps: e.progress.totalSteps,
          loss: e.loss,
        }),
      ctx.signal,
    );
  },
};
