/**
 * The end-to-end study's sub-runs, trainable one at a time by id (src/study/sub-run-trainer.ts):
 * what a worker process or machine runs for a job of `polytask study e2e`. Stage 1 (the
 * pipelines, which leave their weights in their directories of the study's sub-run store, and the
 * end-to-end models) and stage 2 (the hybrids, which load their seed's pipeline from there) are
 * trained by the study's own E2eRuns; the case and its data are loaded once per config, as the
 * study loads them (loadE2eStudy).
 *
 * @example
 * await e2eSubRunTrainer.train(config, 'seed0-pipeline', { dir: (id) => store.dir(id) });
 * await e2eSubRunTrainer.train(config, 'seed0-hybrid-n40', { dir: (id) => store.dir(id) });
 */
import { ValueError } from '../core/errors.js';
import { dataDigest, oncePerConfig, type SubRun, type SubRunTrainer } from '../study/index.js';
import { parseE2eConfig } from './config.js';
import { loadE2eStudy } from './study-load.js';
import { E2eRuns, e2eStages, type RunSpec } from './study-run-one.js';

interface Prepared {
  runs: E2eRuns;
  grid: SubRun<RunSpec>[];
  fingerprint: string;
  /** The files the case read. */
  files: readonly string[];
}

/**
 * The last config's case, data and runs: a worker trains many sub-runs of one study in a row
 * (built again when the config or one of its files changed: study/once-per-config.ts).
 */
const prepare = oncePerConfig(
  async (config: unknown): Promise<Prepared> => {
    const { setup, inputs } = await loadE2eStudy(parseE2eConfig(config));
    const { stage1, stage2 } = e2eStages(setup.config, setup.sizes);
    // the held-out test examples and seed 0's draw stand for the case's data
    const draw = setup.study.examples(setup.pools, 'train', setup.sizes[setup.sizes.length - 1]!, 0);
    const fingerprint = dataDigest(
      [setup.test, draw].flatMap((ds) => [`${ds.length}:${ds.featureShape.join('x')}`, ds.features, ds.labels]),
    );
    return { runs: new E2eRuns(setup), grid: [...stage1, ...stage2], fingerprint, files: inputs.files };
  },
  (p) => p.files,
);

/**
 * Trains the end-to-end study's sub-runs by id.
 *
 * @example
 * await e2eSubRunTrainer.ids({ sizes: [20, 40], seeds: 1 }); // ['seed0-pipeline', 'seed0-endToEnd-n20', ..., 'seed0-hybrid-n40']
 */
export const e2eSubRunTrainer: SubRunTrainer = {
  files: true,
  ids: async (config) => (await prepare(config)).grid.map((r) => r.id),
  fingerprint: async (config) => (await prepare(config)).fingerprint,
  train: async (config, id, ctx) => {
    const { runs, grid } = await prepare(config);
    const run = grid.find((r) => r.id === id);
    if (run === undefined)
      throw new ValueError(
        `e2e sub-run '${id}'`,
        `not in this study's grid (${grid.length} sub-runs: ${grid[0]?.id ?? ''}, ...)`,
      );
    return runs.train(run.spec, {
      signal: ctx.signal,
      dir: ctx.dir,
    });
  },
};
