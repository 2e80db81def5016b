/**
 * The multi-task study's sub-runs, trainable one at a time by id (src/study/sub-run-trainer.ts):
 * what a worker process or machine runs for a job of `polytask study mtl`. The config is parsed
 * as the study parses it, the data and grid are built once per config (mtlGrid, the study's own),
 * and the sub-run is trained by trainStudyRun, as in the study's own run.
 *
 * @example
 * const outcome = await mtlSubRunTrainer.train({ epochs: 1, train: 128 }, 'ew-seed0', {});
 */
import { ValueError } from '../../core/errors.js';
import { configHash, dataDigest, type SubRun, type SubRunTrainer } from '../../study/index.js';
import { parseStudyConfig, type MtlStudyConfig } from './config.js';
import { studyData, type StudyData } from './data.js';
import { mtlGrid } from './grid.js';
import { trainStudyRun } from './pretrain-finetune.js';
import type { RunSpec } from './run-one.js';

interface Prepared {
  hash: string;
  c: MtlStudyConfig;
  data: StudyData;
  grid: SubRun<RunSpec>[];
  fingerprint: string;
}

/** The last config's data and grid: a worker trains many sub-runs of one study in a row. */
let prepared: Prepared | null = null;

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

function prepare(config: unknown): Prepared {
  const hash = configHash(config);
  if (prepared?.hash !== hash) {
    const c = parseStudyConfig(config);
    const data = studyData(c);
    prepared = { hash, c, data, grid: mtlGrid(data, c).grid, fingerprint: dataFingerprint(data) };
  }
  return prepared;
}

/**
 * Trains the multi-task study's sub-runs by id.
 *
 * @example
 * mtlSubRunTrainer.ids({ methods: ['ew'], seeds: [0] }); // ['single:left-seed0', 'single:right-seed0', 'ew-seed0', ...]
 */
export const mtlSubRunTrainer: SubRunTrainer = {
  ids: (config) => prepare(config).grid.map((r) => r.id),
  fingerprint: (config) => prepare(config).fingerprint,
  train: async (config, id, ctx) => {
    const { c, data, grid } = prepare(config);
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
