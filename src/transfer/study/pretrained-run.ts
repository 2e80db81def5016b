/**
 * The transfer study from given weights (`source.from: pretrained`; see pretrained.ts for what
 * the source can be): no source data and no source training. For every label budget and seed it
 * fine-tunes copies of the given trunk by the configured strategies (a linear probe on its frozen
 * features, full fine-tuning, …) and trains the same architecture from scratch on the same
 * labelled examples, scores every run on one test set, and decides with the same paired intervals
 * and gates as the study that pre-trains its source (verdict.ts), less the source gates, which say
 * they do not apply.
 *
 * @example
 * const result = await runTransferStudy({
 *   source: { from: 'pretrained', backbone: 'nsfw-mobilenet-v2', size: 96 },
 *   target: { data: { source: 'images', dir: 'photos' }, budgets: [5, 20] },
 *   fineTune: { strategies: ['scratch', 'linear-probe', 'full'], seeds: [0, 1, 2] },
 * });
 * result.verdict.outcome; // 'helps' | 'hurts' | 'no-difference' | 'inconclusive'
 */
import type { StudyRunOptions } from '../../study/index.js';
import type { TransferStudyResult } from '../study.js';
import { gainCheck, imageStats, pretrainedInputCheck, ratioCheck } from './checks.js';
import type { PretrainedStudyConfig } from './config.js';
import {
  gridSetup,
  runFineTuneGrid,
  splitBaselines,
  strategyResults,
  targetSetup,
  type TransferStudyProgress,
} from './grid.js';
import { baselineOutcome, checkBaselines } from './baselines.js';
import { loadPretrainedStudy } from './pretrained.js';
import { FineTuneRuns, sourceWeights } from './runs.js';
import { decideTransferVerdict } from './verdict.js';

/**
 * Runs the study of a config whose source is given weights.
 *
 * @example
 * const { verdict } = await runPretrainedStudy(config, onProgress, { subRuns, signal }, performance.now());
 */
export async function runPretrainedStudy(
  c: PretrainedStudyConfig,
  onProgress: (p: TransferStudyProgress) => void,
  options: StudyRunOptions,
  started: number,
): Promise<TransferStudyResult> {
  onProgress({
    phase: 'data',
    message: 'loading the target data',
    done: 0,
    total: 1,
    run: 'data',
    runIndex: 1,
    runs: 1,
  });
  const { source, data } = await loadPretrainedStudy(c);
  checkBaselines(c, data);
  const fineTune = new FineTuneRuns(c, data, source.description, sourceWeights(source.model));
  const { runs, baselineRuns } = splitBaselines(await runFineTuneGrid(c, fineTune, onProgress, options));
  const results = strategyResults(c, runs);
  const classes = data.targetPool.classNames.length;
  const ratio = ratioCheck(null, c.target.budgets, classes);
  return {
    budgets: [...c.target.budgets],
    results,
    checks: {
      inputs: pretrainedInputCheck(source.inputShape, source.range, imageStats(data.targetPool, data.featureShape)),
      dataRatio: {
        ...ratio,
        detail: `a pretrained source: ${source.trainedOn ?? 'polytask does not know how many examples it was trained on'}`,
      },
      gain: gainCheck(results, c.target.budgets, c.fineTune.seeds.length),
    },
    verdict: decideTransferVerdict({
      runs,
      budgets: c.target.budgets,
      sourceAccuracy: null,
      sourceClasses: 2,
      sourceCurves: { losses: null },
      smokeTest: c.smokeTest,
      sourceName: source.name,
      targetName: data.targetName,
      pretrained: source.name,
    }),
    setup: {
      direction: data.direction,
      note: data.note,
      source: {
        name: source.name,
        examples: null,
        checkpoint: c.source.checkpoint ?? null,
        epochs: null,
        testAccuracy: null,
        trainedOn: source.trainedOn,
      },
      target: targetSetup(c, data),
      model: source.description,
      ...gridSetup(c, started),
    },
    runs,
    ...baselineOutcome(c, baselineRuns),
  };
}
