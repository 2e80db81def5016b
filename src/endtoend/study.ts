/**
 * The end-to-end vs pipeline study: learning curves of the pipeline, the end-to-end model and the
 * hybrid on growing amounts of (x, y) data, power-law fits with bootstrap bands checked by
 * predicting the largest size, the crossover where end to end catches up, and a verdict for the
 * amount of data the user has.
 *
 * Result (what `polytask study e2e --json` prints):
 * - `sizes`: the numbers of (x, y) training examples measured.
 * - `curves.<approach>`: one entry per size, `{ size, mean, sd, n, values }`: the test errors of
 *   the `n` seeds (`values`), their mean and sample standard deviation. The pipeline never sees
 *   (x, y) pairs, so its entries repeat its per-seed errors at every size.
 * - `fits.<approach>`: `{ status, a, b, c, ... }` for err(m) = a·m^b + c (b < 0). `status` is
 *   'ok' (with `band`, the 95% bootstrap band, and `check`, the largest size predicted from the
 *   others), 'constant' (the pipeline: a = 0, b = 0, c = its mean error), or why no fit was made
 *   ('too-few-points', 'not-decreasing', 'failed', with `reason`; a, b, c null).
 * - `crossover`: `{ status, size, low, high, detail }`: the (x, y) examples from which end to end
 *   matches the pipeline, measured or extrapolated, with its 95% bootstrap interval (nulls where
 *   there is no number; see Crossover).
 * - `verdict`: the shared verdict shape (src/study/verdict.ts): which approach to use at the
 *   largest measured size (pipeline | end-to-end | hybrid | inconclusive), the winner's paired
 *   advantage with its 95% t interval over seeds, the checks (smoke test, convergence, the fit's
 *   held-out check, the crossover hedged to 10× the largest size) and what to run next
 *   (study-verdict.ts).
 * - `advice`: the plain-language answer for `available` examples.
 *
 * With `subRuns` (a sub-run store), finished runs are recorded and a second call resumes: the
 * recorded runs are not trained again, and the result is the uninterrupted study's. An abort of
 * `signal` stops the study after the current training step with a StoppedError; the run it cut
 * short is not recorded, and a resume trains it again from its start.
 *
 * @example
 * const result = await runE2eStudy({ case: 'digit-sum', seeds: 3 }, (p) => bar.update(p.done / p.total));
 * result.crossover; // { status: 'extrapolated', size: 47036, low: 14674, high: null, detail: 'extrapolated from ...' }
 * result.verdict.outcome; // 'hybrid'
 * result.advice;    // 'With 12,800 (x, y) examples: pipeline 0.265, end to end 0.374, hybrid 0.134 (error rate). Not enough ...'
 */
import { performance } from 'node:perf_hooks';
import { getBackend } from '../backend/registry.js';
import type { ImageSet } from '../data/index.js';
import { analyseConstant, analyseCurve, type FitReport } from './analysis.js';
import { checkCase, digitsData, loadStudyCase, STUDY_CASES, type StudyCase } from './cases/index.js';
import { parseE2eConfig, type E2eStudyConfig, type E2eStudyInput } from './config.js';
import { findCrossover, type Crossover, type FittedCurve } from './crossover.js';
import { summarize, type CurveEntry } from './curve.js';
import { powerLaw } from './power-law.js';
import { withNetwork } from './models.js';
import { mean, type E2eOutcome, type StudyRunOptions, type StudyVerdict } from '../study/index.js';
import { decideE2eVerdict } from './study-verdict.js';
import type { RunsSetup } from './study-run-one.js';
import { runStudyTrainings, seedFor, type E2eProgress } from './study-runs.js';
import { dataVerdict, type VerdictInput } from './verdict.js';

export interface E2eStudyResult {
  case: string;
  description: string;
  /** What the errors measure. */
  metric: string;
  sizes: number[];
  /** The (x, y) examples the verdict is for. */
  available: number;
  /** Labelled single digits the pipeline's classifier was trained on. */
  subtaskExamples: number;
  testExamples: number;
  seeds: number;
  curves: { pipeline: CurveEntry[]; endToEnd: CurveEntry[]; hybrid?: CurveEntry[] };
  fits: { pipeline: FitReport; endToEnd: FitReport; hybrid?: FitReport };
  crossover: Crossover;
  /** The answer: outcome, the winner's paired advantage with its interval, the checks that decided it, what to run next (src/study/verdict.ts). */
  verdict: StudyVerdict<E2eOutcome>;
  /** The plain-language answer for `available` examples (each approach's error there, the crossover). */
  advice: string;
  timing: { seconds: number; backend: string };
  /** The configuration with defaults filled in. */
  config: E2eStudyConfig;
}

/** What the study takes besides its config: the common options, and the digits to build the tasks from. */
export interface E2eStudyOptions extends StudyRunOptions {
  /** Single digits to build a built-in case's tasks from. Default: the embedded MNIST. */
  digits?: ImageSet;
  /**
   * A case given as an object by a program, run instead of the one `config.case` names (checked
   * whole, as a case file is: cases/check-case.ts).
   */
  studyCase?: StudyCase;
}

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
 * built-in one), its sizes, its data and the held-out test examples. A worker builds the same.
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
  const pools = await study.pools(config.seed);
  return {
    study,
    config,
    sizes: [...(config.sizes ?? study.defaultSizes)],
    subtaskExamples: config.subtaskExamples ?? study.defaultSubtaskExamples,
    pools,
    test: study.examples(pools, 'test', config.testExamples, seedFor(config.seed, 0)),
  };
}

/** An approach's error at `size`: measured there, else read off its fit, else at the nearest measured size. */
function errorAt(curve: FittedCurve, size: number): { value: number; source: VerdictInput['endToEndSource'] } {
  const exact = curve.points.find((p) => p.size === size);
  if (exact !== undefined) return { value: mean(exact.values), source: 'measured' };
  if (curve.law !== null) return { value: powerLaw(curve.law, size), source: 'fitted' };
  const nearest = [...curve.points].sort(
    (p, q) => Math.abs(Math.log(p.size / size)) - Math.abs(Math.log(q.size / size)),
  )[0]!;
  return { value: mean(nearest.values), source: 'nearest measured' };
}

/**
 * Runs the study: trains every run, reports each through `onProgress`, and analyses the curves.
 *
 * @example
 * const r = await runE2eStudy({ case: 'read-number', sizes: [100, 200, 400, 800, 1600] });
 * console.log(r.verdict.sentence);
 */
export async function runE2eStudy(
  input: E2eStudyInput = {},
  onProgress?: (p: E2eProgress) => void,
  opts: E2eStudyOptions = {},
): Promise<E2eStudyResult> {
  const started = performance.now();
  const config = parseE2eConfig(input);
  const setup = await e2eSetup(config, opts.digits, opts.studyCase);
  const { study, subtaskExamples } = setup;
  const sizes = [...setup.sizes];
  const errors = await runStudyTrainings(
    { ...setup, subRuns: opts.subRuns, signal: opts.signal, executor: opts.executor },
    onProgress,
  );

  const boot = (k: number) => ({ replicates: config.bootstrap, seed: seedFor(config.seed, 8, k) });
  const curve = (byIndex: number[][]): CurveEntry[] => sizes.map((size, k) => summarize(size, byIndex[k]!));
  const endToEnd = curve(errors.endToEnd);
  const hybrid = config.hybrid ? curve(errors.hybrid) : undefined;
  const pipelineFit = analyseConstant(
    sizes,
    errors.pipeline,
    'the pipeline trains on sub-task data only, so its error does not depend on the (x, y) data',
    boot(0),
  );
  const endToEndFit = analyseCurve(endToEnd, boot(1));
  const hybridFit = hybrid === undefined ? undefined : analyseCurve(hybrid, boot(2));
  const largest = sizes[sizes.length - 1]!;
  const crossover = findCrossover(endToEndFit.fitted, pipelineFit.fitted, {
    maxSize: largest * config.maxExtrapolation,
  });

  const available = config.available ?? largest;
  const e2eAt = errorAt(endToEndFit.fitted, available);
  const advice = dataVerdict({
    available,
    metric: study.metric,
    crossover,
    pipeline: errorAt(pipelineFit.fitted, available).value,
    endToEnd: e2eAt.value,
    endToEndSource: e2eAt.source,
    ...(hybridFit === undefined ? {} : { hybrid: errorAt(hybridFit.fitted, available).value }),
  });

  return {
    case: study.name,
    description: study.description,
    metric: study.metric,
    sizes,
    available,
    subtaskExamples,
    testExamples: config.testExamples,
    seeds: config.seeds,
    curves: {
      pipeline: sizes.map((size) => summarize(size, errors.pipeline)),
      endToEnd,
      ...(hybrid === undefined ? {} : { hybrid }),
    },
    fits: {
      pipeline: pipelineFit.report,
      endToEnd: endToEndFit.report,
      ...(hybridFit === undefined ? {} : { hybrid: hybridFit.report }),
    },
    crossover,
    verdict: decideE2eVerdict({
      sizes,
      errors,
      hybrid: config.hybrid,
      metric: study.metric,
      crossover,
      endToEndFit: endToEndFit.report,
      losses: errors.curves ?? [],
      smokeTest: config.smokeTest,
    }),
    advice,
    timing: { seconds: (performance.now() - started) / 1000, backend: getBackend().name },
    config,
  };
}
