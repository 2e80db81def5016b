/**
 * `npm start -- --case text`: T5-style task mixing on real text. Four tasks on three corpora
 * (WordNet glosses: part of speech and supersense on one input; fortune quotes: category; Brown
 * passages: genre; examples/text-tasks.yaml), mixed equally, examples-proportionally with a cap K,
 * and with temperature T = 2 and T = 8 (examples/study-mtl-text.yaml), against single-task
 * baselines with the same step budget. The quick preset is a smoke test of the same path.
 *
 * @example
 * findCase('text').datasets; // ['wordnet', 'fortunes', 'brown']
 */
import { fileURLToPath } from 'node:url';
import type { MainCase } from './types.js';

/** The task description the case's study reads (in the package's examples/). */
export const TEXT_TASKS = fileURLToPath(new URL('../../../../examples/text-tasks.yaml', import.meta.url));

/** T5's mixings (Raffel et al. 2020, §3.5.2), K = 2^15 between the corpora's sizes (12k … 94k). */
export const TEXT_MIXINGS = {
  equal: { strategy: 'equal' },
  'prop-K': { strategy: 'proportional', cap: 32768 },
  T2: { strategy: 'temperature', temperature: 2 },
  T8: { strategy: 'temperature', temperature: 8 },
} as const;

const common = {
  dataset: TEXT_TASKS,
  methods: ['ew'],
  mixings: TEXT_MIXINGS,
  batchSize: 64,
  lr: 0.003,
  capacityCheck: false,
  affinity: { every: 0 },
};

export const textCase: MainCase = {
  name: 'text',
  title: 'text: WordNet, fortunes and Brown with T5-style task mixing',
  summary: 'four text tasks on three corpora, mixed equal / proportional (cap K) / temperature T=2, 8',
  datasets: ['wordnet', 'fortunes', 'brown'],
  presets: {
    mtl: {
      main: { ...common, epochs: 2, stepsPerEpoch: 250, seeds: [0, 1, 2] },
      quick: { ...common, smokeTest: true, epochs: 1, stepsPerEpoch: 20, seeds: [0] },
    },
  },
};
