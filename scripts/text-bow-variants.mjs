#!/usr/bin/env node
// The text transfer case's bag-of-words baseline in several variants, on the study's own labelled
// e-mails, validation splits and 500 test e-mails (budgets 5/20/80 per class, seeds 0-2), without
// the pre-training: how the README chose its settings. Run `npm run build` and
// `polytask data prepare wordnet fortunes brown spam` first. Prints one line a variant: mean test
// accuracy by budget (%) and its CPU seconds. With a file name, also writes every run's rows (ids of
// a vocabulary of every word of the pool) for scripts/text_bow_sklearn.py.
// Usage: node scripts/text-bow-variants.mjs '{"name": <baseline config>, ...}' [rows.json]
//   e.g. '{"bow": {"model": {"arch": "text", "encoder": "mean", "embedDim": 32}, "vocabulary": {}, "fineTune": {"lr": 0.01}}}'
import { writeFileSync } from 'node:fs';
import '../dist/src/index.js';
import { TEXT_TRANSFER } from '../dist/src/cli/cases/text.js';
import { resolveStudyConfig } from '../dist/src/transfer/study/config.js';
import { runImages } from '../dist/src/transfer/study/data.js';
import { loadMlmStudyData } from '../dist/src/transfer/study/mlm-source.js';
import { FineTuneRuns } from '../dist/src/transfer/study/runs.js';

const variants = JSON.parse(process.argv[2] ?? '{}');
// a baseline of its own vocabulary in the study makes it read the pool's words too (rows.json)
const c = resolveStudyConfig({
  ...TEXT_TRANSFER,
  baselines: { ...variants, words: { model: { arch: 'text', encoder: 'mean' }, vocabulary: {} } },
});
const data = await loadMlmStudyData(c);
if (process.argv[3] !== undefined) {
  const view = { ...data, targetPool: data.words.pool, targetTest: data.words.test };
  const rows = c.target.budgets.flatMap((budget) =>
    c.fineTune.seeds.map((seed) => {
      const { train, test } = runImages(view, budget, seed);
      return {
        budget,
        seed,
        width: train.width,
        train: [...train.images],
        trainLabels: [...train.labels],
        test: [...test.images],
        testLabels: [...test.labels],
      };
    }),
  );
  writeFileSync(process.argv[3], JSON.stringify(rows));
}
// baseline runs need no source weights
const runs = new FineTuneRuns(c, data, { arch: 'text', config: {}, tasks: [] }, {});
for (const name of Object.keys(variants)) {
  const t0 = process.cpuUsage();
  const byBudget = {};
  for (const budget of c.target.budgets) {
    const acc = [];
    for (const seed of c.fineTune.seeds)
      acc.push((await runs.train({ strategy: 'scratch', budget, seed, baseline: name })).accuracy);
    byBudget[budget] = Number(((100 * acc.reduce((a, b) => a + b)) / acc.length).toFixed(1));
  }
  console.log(name, JSON.stringify({ ...byBudget, cpuSeconds: Number((process.cpuUsage(t0).user / 1e6).toFixed(1)) }));
}
