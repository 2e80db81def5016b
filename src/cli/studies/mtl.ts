/**
 * The multi-task study (src/multitask/study.ts) as the CLI runs it: single-task baselines and
 * weighting methods on MultiMNIST, with Δm, negative transfer, task affinity and loss weights over
 * time. The main job runs equal weighting on 3000 images for five seeds, each run early-stopped on a
 * validation split (at most 30 epochs), with the equal-capacity check; --quick (two methods on 1500
 * images, 3 epochs, one seed) is a smoke test.
 *
 * @example
 * const result = await mtlStudy.use((d) => d.run(validateConfig(d.schema, { epochs: 1 }), (p) => bar.update(p)));
 */
import { mnistData } from '../../data/fingerprint.js';
import { runMtlStudy } from '../../multitask/study.js';
import { builtinDatasets, parseStudyConfig, studyConfigSchema } from '../../multitask/study/config.js';
import { loadStudyData } from '../../multitask/study/data.js';
import { mtlVerdict } from '../../report/index.js';
import { defineStudy } from './types.js';
import { checkStudyModel } from '../../multitask/study/run-one.js';
import { zooFlags } from './zoo-flags.js';

// --arch resnet18 (trunk.arch), --weights FILE (trunk.weights)
const arch = zooFlags('trunk');

export const mtlStudy = defineStudy({
  key: 'mtl',
  title: 'Multi-task learning',
  schema: studyConfigSchema,
  flags: {
    dataset: 'dataset',
    methods: 'methods',
    epochs: 'epochs',
    seeds: 'seeds',
    train: 'train',
    finetuneEpochs: 'pretrainFinetune.finetuneEpochs',
  },
  options: arch.options,
  expand: arch.expand,
  // a trunk other than the default one is built once on the data (its weights loaded) before the
  // run directory exists: a zoo arch that does not fit the inputs is a one-line error, as is
  // pretrainFinetune.unsupervised on inputs that are not text
  check: async (c) => {
    // the checks across fields (pretrainFinetune against epochs, mixings and the trunk) come first
    parseStudyConfig(c, 'study config');
    const t = c.trunk;
    if (t.arch !== 'auto' || Object.entries(t).some(([k, v]) => k !== 'arch' && k !== 'width' && v !== undefined))
      checkStudyModel(await loadStudyData(c), c);
  },
  presets: {
    // five seeds (an interval), every run trained until its validation loss stops improving (at
    // most 30 epochs, patience 3: about 20-25 epochs on 2,700 images), equal weights against the
    // single-task and equal-capacity baselines, scored on 3,000 test images (test noise is a
    // large part of the seed-to-seed spread of Δm); 3 epochs left every run still improving
    main: {
      methods: ['ew'],
      epochs: 30,
      patience: 3,
      train: 3000,
      test: 3000,
      seeds: [0, 1, 2, 3, 4],
      affinity: { every: 0 },
    },
    quick: { smokeTest: true, methods: ['ew', 'famo'], epochs: 3, train: 1500, test: 500, capacityCheck: false },
  },
  // the study's progress events carry every field the CLI draws (and per-task losses when reported)
  run: runMtlStudy,
  report: (result) => ({ mtl: result }),
  verdict: mtlVerdict,
  // loaded before the run directory exists (a task description's data sources included), to check
  // it; the run takes this load (once per config: study/once-per-config.ts); a built-in dataset is
  // fingerprinted by its construction parameters (and the package it is built from), a task
  // description by every file it read
  dataInputs: async (c) => {
    const data = await loadStudyData(c);
    if (!(builtinDatasets as readonly string[]).includes(c.dataset)) return { files: data.files };
    return {
      files: [],
      builtin: [
        mnistData(),
        { name: c.dataset, params: { train: c.train, test: c.test, seed: c.dataSeed, missing: c.missing } },
      ],
    };
  },
});
