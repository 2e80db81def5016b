/**
 * `npm start -- --case clipart`: the clip-art data set (src/data/prepared/clipart.ts, Debian
 * `openclipart-svg`) prepared first, then two studies on its 32×32 RGB drawings: transfer from
 * drawings of symbols, icons and shapes to drawings of things with 5/20/80 labels per class, and
 * multi-task category + subcategory heads with the subcategory missing for part of the data. The
 * main presets are the configs examples/study-transfer-clipart.yaml and
 * examples/study-mtl-clipart.yaml (a test keeps them equal); quick is a smoke test of both.
 *
 * `npm start -- --case clipart-pretrained`: transfer from a backbone trained elsewhere — the TF.js
 * MobileNetV2 shipped inside the npm package nsfwjs (src/models/pretrained/) — to the 16 clip-art
 * categories: a linear probe on its frozen 1,280 features and full fine-tuning against the same
 * MobileNetV2 trained from scratch, at 64×64. Its main preset is
 * examples/study-transfer-clipart-pretrained.yaml; quick is a smoke test small enough for the tests.
 *
 * @example
 * findCase('clipart').presets.mtl?.main.methods; // ['ew', 'uw', 'pcgrad', 'famo']
 * findCase('clipart-pretrained').presets.transfer?.main.source; // { from: 'pretrained', backbone: 'nsfw-mobilenet-v2', size: 64 }
 */
import { fileURLToPath } from 'node:url';
import type { MainCase } from './types.js';

/** The task description of the multi-task study (examples/clipart-tasks.yaml, found from this file). */
export const CLIPART_TASKS = fileURLToPath(new URL('../../../../examples/clipart-tasks.yaml', import.meta.url));

const view = (v: string): Record<string, unknown> => ({ source: 'prepared', name: 'clipart', view: v });

export const clipartCase: MainCase = {
  name: 'clipart',
  title: 'clip art (openclipart-svg)',
  summary: 'colour drawings, 32×32 RGB: transfer between categories and category + subcategory multi-task',
  datasets: ['clipart'],
  presets: {
    transfer: {
      main: {
        model: { arch: 'cnn', channels: [16, 32], hidden: 64 },
        source: { data: view('transfer-source'), samples: 'all', epochs: 8 },
        target: { data: view('transfer-target'), budgets: [5, 20, 80], testSamples: 1000 },
        fineTune: {
          strategies: ['scratch', 'linear-probe', 'full', 'lp-ft'],
          seeds: [0, 1, 2],
          minEpochs: 10,
          epochBudget: 400,
          probeLr: 0.01,
        },
      },
      // a smoke test: its verdict is 'inconclusive: smoke test', never a conclusion
      quick: {
        smokeTest: true,
        model: { arch: 'cnn', channels: [8, 16], hidden: 32 },
        source: { data: view('transfer-source'), samples: 500, epochs: 1 },
        target: { data: view('transfer-target'), budgets: [5], testSamples: 200 },
        fineTune: { strategies: ['scratch', 'full'], seeds: [0], minEpochs: 2, epochBudget: 10, probeLr: 0.01 },
      },
    },
    mtl: {
      main: {
        dataset: CLIPART_TASKS,
        methods: ['ew', 'uw', 'pcgrad', 'famo'],
        // at most: early stopping (patience 2 on the validation split) ends most runs sooner
        epochs: 20,
        batchSize: 64,
        lr: 0.002,
        seeds: [0, 1, 2],
        trunk: { width: 12 },
        affinity: { every: 0 },
        // single-task models of equal total capacity: the verdict's fair comparison
        capacityCheck: true,
      },
      quick: {
        smokeTest: true,
        dataset: CLIPART_TASKS,
        methods: ['ew'],
        epochs: 1,
        seeds: [0],
        trunk: { width: 4 },
        affinity: { every: 0 },
        capacityCheck: false,
      },
    },
  },
};

/** The pretrained backbone's input side here: 64 (the drawings' own size) keeps the study on a CPU. */
const PRETRAINED_SIDE = 64;

export const clipartPretrainedCase: MainCase = {
  name: 'clipart-pretrained',
  title: 'clip art (openclipart-svg) from a pretrained MobileNetV2',
  summary:
    "the 16 clip-art categories from nsfwjs's trained MobileNetV2: linear probe and fine-tuning vs scratch, 64×64 RGB",
  datasets: ['clipart'],
  presets: {
    transfer: {
      // three seeds at 5 and 20 labels per class; a tenth of the epochs of the data-source study's
      // budget rule (MobileNetV2 at 64×64 trains at a few images a second per core)
      main: {
        source: { from: 'pretrained', backbone: 'nsfw-mobilenet-v2', size: PRETRAINED_SIDE },
        target: { data: view('category'), budgets: [5, 20], testSamples: 480 },
        fineTune: {
          strategies: ['scratch', 'linear-probe', 'full'],
          seeds: [0, 1, 2],
          minEpochs: 6,
          epochBudget: 60,
          probeLr: 0.01,
        },
      },
      // a smoke test (its verdict is 'inconclusive: smoke test'), seconds: 2 labels per class at 32×32
      quick: {
        smokeTest: true,
        source: { from: 'pretrained', backbone: 'nsfw-mobilenet-v2', size: 32 },
        target: { data: view('category'), budgets: [2], testSamples: 64 },
        fineTune: {
          strategies: ['scratch', 'linear-probe'],
          seeds: [0],
          minEpochs: 1,
          epochBudget: 1,
          validation: 0,
          probeLr: 0.01,
        },
      },
    },
  },
};
