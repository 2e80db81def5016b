/**
 * What an end-to-end study's runs are trained from, loaded from its config: the case (a built-in
 * one, or the user's own from its file, checked whole), its data and the held-out test examples,
 * the case's data checked against its types, and the files it read. Loaded once per config and
 * process (`loadE2eStudy`, study/once-per-config.ts): the CLI's check before the run directory
 * exists, the study's run and a worker's sub-runs share one load, and a file the user edited since
 * (the case file, a rule module, a data file) is loaded again.
 *
 * @example
 * const { setup, inputs } = await loadE2eStudy(parseE2eConfig({ case: 'examples/e2e-case.yaml' }));
 * setup.sizes;  // [25, 50, 100, 200, 400]
 * inputs.files; // the case file, its rule module and its two CSVs
 */
import type { DataInputs, ImageSet } from '../data/index.js';
import { oncePerConfig } from '../study/index.js';
import { checkCase, checkCaseData, digitsData, loadStudyCase, STUDY_CASES, type StudyCase } from './cases/index.js';
import type { E2eStudyConfig } from './config.js';
import { withNetwork } from './models.js';
import type { RunsSetup } from './study-run-one.js';
import { seedFor } from './study-runs.js';

/**
 * The case a config names (a built-in one, or the user's own from its file, checked whole), with
 * `digits` in place of the embedded MNIST for a built-in case.
 *
 * @example
 * const c = await e2eCase(parseE2eConfig({ case: './my-case.mjs' }));
 */
export async function e2eCase(config: E2eStudyConfig, digits?: ImageSet): Promise<StudyCase> {
  const loaded = await loadStudyCase(config.case, config.seed);
  const builtin = (STUDY_CASES as readonly string[]).includes(config.case);
  const c = digits === undefined || !builtin ? loaded : { ...loaded, ...digitsData(digits) };
  // --arch: the zoo network on both sides
  return config.model === undefined ? c : withNetwork(c, config.model);
}

/**
 * What the study's runs are trained from: the case (`digits` in place of the embedded MNIST for a
 * built-in one, or `given`), its sizes, its data and the held-out test examples. Loaded each call:
 * a study from its config alone goes through loadE2eStudy.
 *
 * @example
 * const { sizes, test } = await e2eSetup(parseE2eConfig({ case: 'digit-sum' }));
 */
export async function e2eSetup(config: E2eStudyConfig, digits?: ImageSet, given?: StudyCase): Promise<RunsSetup> {
  const checked = given === undefined ? null : checkCase(given, 'options.studyCase');
  const study =
    checked === null
      ? await e2eCase(config, digits)
      : config.model === undefined
        ? checked
        : withNetwork(checked, config.model);
  return setupOf(study, config, await study.pools(config.seed));
}

/** The setup of `study` on its data `pools`: its sizes and the held-out test examples drawn. */
function setupOf(study: StudyCase, config: E2eStudyConfig, pools: unknown): RunsSetup {
  return {
    study,
    config,
    sizes: [...(config.sizes ?? study.defaultSizes)],
    subtaskExamples: config.subtaskExamples ?? study.defaultSubtaskExamples,
    pools,
    test: study.examples(pools, 'test', config.testExamples, seedFor(config.seed, 0)),
  };
}

/** A config's study as loaded: what its runs train from, and what it read (for the data fingerprint). */
export interface LoadedE2eStudy {
  setup: RunsSetup;
  inputs: DataInputs;
}

/** {@link loadE2eStudy} without the cache. */
async function loadUncached(config: E2eStudyConfig): Promise<LoadedE2eStudy> {
  const study = await e2eCase(config);
  const pools = await study.pools(config.seed);
  // a few examples of each kind first: a bad case fails on its smallest draw
  checkCaseData(study, pools, config.seed, { hybrid: config.hybrid });
  const inputs = (await study.dataInputs?.(config.seed)) ?? { files: [] };
  return { setup: setupOf(study, config, pools), inputs };
}

/**
 * The study `config` names, loaded and checked (checkCaseData: a bad case fails before a run
 * starts), once per config while the files it read are unchanged (see the module comment).
 *
 * @example
 * const { setup } = await loadE2eStudy(config);
 */
export const loadE2eStudy = oncePerConfig(loadUncached, (loaded) => loaded.inputs.files);
