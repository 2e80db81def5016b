/**
 * `npm start -- --case text`: two studies on real text.
 * - Transfer, BERT-style (examples/study-transfer-text.yaml): a small transformer encoder
 *   pre-trained by masked-language modelling on the unlabelled text of WordNet, fortunes and Brown
 *   (source.objective: mlm, src/transfer/study/mlm-source.ts), fine-tuned on spam/ham e-mails with
 *   5, 20 and 80 labels per class, against the same encoder from scratch and a bag-of-words
 *   baseline (baselines.bow: averaged word embeddings trained on the labels alone, with their own
 *   training settings and vocabulary).
 * - T5-style task mixing: four tasks on three corpora (WordNet glosses: part of speech and
 *   supersense on one input; fortune quotes: category; Brown passages: genre;
 *   examples/text-tasks.yaml), mixed equally, examples-proportionally with a cap K, and with
 *   temperature T = 2 and T = 8 (examples/study-mtl-text.yaml), against single-task baselines with
 *   the same step budget; and T5's Table 12: pre-training on the examples-proportional mixture,
 *   then fine-tuning a copy on each task alone (`ew@prop-K+ft`: 125 steps on the mixture, then 125
 *   on each task, so every task's final model takes 250 steps, as the other runs do), against
 *   T5's baseline there, the trunk pre-trained by masked-language modelling on the tasks' own
 *   training text for those 125 steps, then each task alone (`mlm+ft`). The trunk is a one-layer
 *   transformer 32 wide (MLM needs a contextual encoder).
 * The quick presets are smoke tests of the same paths.
 *
 * @example
 * findCase('text').datasets; // ['wordnet', 'fortunes', 'brown', 'spam']
 */
import { fileURLToPath } from 'node:url';
import type { MainCase } from './types.js';

/** The task description the case's study reads (in the package's examples/). */
export const TEXT_TASKS = fileURLToPath(new URL('../../../../examples/text-tasks.yaml', import.meta.url));

/** The bag-of-words baselines' training: a linear model over word frequencies converges at another rate than the transformer. */
const BOW_FINE_TUNE = { lr: 0.01, batchSize: 16, minEpochs: 100, epochBudget: 4000 };

/** The transfer study's main preset (examples/study-transfer-text.yaml; a test keeps them equal). */
export const TEXT_TRANSFER = {
  // one layer 32 wide and a 2,000-word vocabulary: the masked-token accuracy clears the gate (10
  // points above always answering the most frequent word), where 2 layers 64 wide over 8,000 words
  // did not in 4 CPU-minutes; 20 epochs of 40,000 lines so that the pre-training converges
  // (README, text transfer)
  model: { arch: 'text', encoder: 'transformer', embedDim: 32, layers: 1, heads: 2 },
  source: {
    objective: 'mlm',
    data: { prepared: ['wordnet', 'fortunes', 'brown'] },
    samples: 40000,
    testSamples: 1000,
    epochs: 20,
    lr: 0.005,
    vocabSize: 2000,
  },
  target: {
    data: { source: 'prepared', name: 'spam', view: 'spam', options: { maxLength: 64 } },
    budgets: [5, 20, 80],
    testSamples: 500,
  },
  // the bag-of-words baseline: word embeddings averaged, then a linear head, trained on the
  // labels alone with its own settings, over its own vocabulary (the words of each run's labelled
  // training e-mails) and over the pre-training's, beside scratch and the pre-trained encoder
  baselines: {
    bow: {
      model: { arch: 'text', encoder: 'mean', embedDim: 32 },
      vocabulary: { minCount: 1 },
      fineTune: BOW_FINE_TUNE,
    },
    'bow-mlm-vocab': { model: { arch: 'text', encoder: 'mean', embedDim: 32 }, fineTune: BOW_FINE_TUNE },
  },
  // early stopping ends the runs (patience a tenth of their epochs): 800, 200 and 100 epochs at most
  fineTune: { strategies: ['scratch', 'full'], seeds: [0, 1, 2], minEpochs: 100, epochBudget: 4000 },
};

/** T5's mixings (Raffel et al. 2020, §3.5.2), K = 2^15 between the corpora's sizes (12k … 94k). */
export const TEXT_MIXINGS = {
  equal: { strategy: 'equal' },
  'prop-K': { strategy: 'proportional', cap: 32768 },
  T2: { strategy: 'temperature', temperature: 2 },
  T8: { strategy: 'temperature', temperature: 8 },
} as const;

/**
 * T5's Table 12 (multi-task pre-training on the proportional mixture, then each task alone; and
 * its baseline, unsupervised MLM pre-training then each task alone): the last epoch fine-tunes.
 */
export const TEXT_PRETRAIN_FINETUNE = {
  mixings: ['prop-K'],
  finetuneEpochs: 1,
  unsupervised: { objective: 'mlm', maskProbability: 0.15 },
};

/** The trunk: BERT one layer 32 wide (8 · width), 2 heads, averaged, then 20 features (5 · width). */
export const TEXT_MTL_TRUNK = { width: 4, encoder: 'transformer', numLayers: 1, numHeads: 2 };

const common = {
  dataset: TEXT_TASKS,
  methods: ['ew'],
  mixings: TEXT_MIXINGS,
  pretrainFinetune: TEXT_PRETRAIN_FINETUNE,
  trunk: TEXT_MTL_TRUNK,
  batchSize: 64,
  lr: 0.003,
  capacityCheck: false,
  affinity: { every: 0 },
};

export const textCase: MainCase = {
  name: 'text',
  title: 'text: MLM pre-training to spam/ham, and T5-style task mixing on WordNet, fortunes and Brown',
  summary:
    'an encoder pre-trained by masked-language modelling fine-tuned on spam/ham vs scratch; four text tasks mixed equal / proportional (cap K) / temperature T=2, 8',
  datasets: ['wordnet', 'fortunes', 'brown', 'spam'],
  presets: {
    transfer: {
      main: TEXT_TRANSFER,
      // a smoke test (seconds of pre-training, one seed): its verdict is 'inconclusive: smoke test'
      quick: {
        smokeTest: true,
        model: { arch: 'text', encoder: 'transformer', embedDim: 16, layers: 1, heads: 2 },
        source: { ...TEXT_TRANSFER.source, samples: 300, testSamples: 50, epochs: 1, vocabSize: 2000 },
        target: {
          ...TEXT_TRANSFER.target,
          data: { ...TEXT_TRANSFER.target.data, options: { maxLength: 32 } },
          budgets: [5],
          testSamples: 100,
        },
        baselines: TEXT_TRANSFER.baselines,
        fineTune: { strategies: ['scratch', 'full'], seeds: [0], minEpochs: 2, epochBudget: 10 },
      },
    },
    mtl: {
      main: { ...common, epochs: 2, stepsPerEpoch: 125, seeds: [0, 1, 2] },
      quick: { ...common, smokeTest: true, epochs: 2, stepsPerEpoch: 10, seeds: [0] },
    },
  },
};
