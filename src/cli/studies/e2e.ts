/**
 * The end-to-end vs pipeline study (src/endtoend/study.ts) as the CLI runs it: learning curves of
 * a pipeline of separately trained stages, one end-to-end model and the hybrid on the digit-sum
 * task built from the embedded MNIST (or another case: `--case read-number`, or the user's own,
 * `--case my-case.yaml` / `--case ./my-case.mjs`), power-law fits, and the crossover. The main job measures
 * five sizes from 800 to 12,800 pairs (past the crossover) over three seeds, without the hybrid;
 * --quick four small sizes (the fewest a power law is fitted to) and 100 steps: a smoke test.
 *
 * @example
 * await e2eStudy.use((d) => d.run(validateConfig(d.schema, { seeds: 1 }), onProgress));
 */
import { e2eStudyConfigSchema } from '../../endtoend/config.js';
import { loadE2eStudy } from '../../endtoend/study-load.js';
import { runE2eStudy } from '../../endtoend/study.js';
import { e2eVerdict } from '../../report/index.js';
import { defineStudy } from './types.js';
import { zooFlags } from './zoo-flags.js';

// --arch resnet18 (model.arch), --weights FILE (model.weights)
const arch = zooFlags('model');

export const e2eStudy = defineStudy({
  key: 'e2e',
  title: 'End-to-end vs pipeline',
  schema: e2eStudyConfigSchema,
  flags: { case: 'case', sizes: 'sizes', seeds: 'seeds' },
  // the zoo network is built on the case's shapes, its weights loaded, when the case is (e2eCase, below)
  options: arch.options,
  expand: arch.expand,
  presets: {
    // past the crossover (about 4,000 pairs when measured), three seeds for a paired t interval; the
    // hybrid is left to `polytask study e2e` (it would double the time)
    main: {
      case: 'digit-sum',
      sizes: [800, 1600, 3200, 6400, 12800],
      seeds: 3,
      testExamples: 1000,
      bootstrap: 100,
      hybrid: false,
    },
    quick: {
      smokeTest: true,
      case: 'digit-sum',
      sizes: [100, 200, 400, 800],
      seeds: 2,
      testExamples: 500,
      bootstrap: 50,
      hybrid: false,
      training: { maxSteps: 100 },
    },
  },
  // the study's progress events carry the run, its index and the runs done
  run: runE2eStudy,
  report: (result) => ({ e2e: result }),
  verdict: e2eVerdict,
  // the case (a user's file: loaded and checked whole, its data included) and what it reads; the
  // run takes this load (once per config: study/once-per-config.ts)
  dataInputs: async (config) => (await loadE2eStudy(config)).inputs,
});
