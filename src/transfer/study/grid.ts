/**
 * What both kinds of transfer study do once they hold a source model: train the grid of
 * fine-tuning runs (every strategy, budget and seed; recorded, resumable and stoppable through the
 * sub-run runner), report each as it finishes, and sum the runs up as each strategy's mean and
 * spread by budget. The study that pre-trains its source (study.ts) and the one that starts from
 * given weights (pretrained-run.ts) share it.
 *
 * @example
 * const runs = await runFineTuneGrid(c, new FineTuneRuns(c, data, description, weights), onProgress, options);
 * strategyResults(c, runs).full?.['10']?.mean;
 */
import { meanSd, runSubRuns, type MeanSd, type StudyProgress, type StudyRunOptions } from '../../study/index.js';
import type { StrategyKey } from '../strategies/types.js';
import { performance } from 'node:perf_hooks';
import { getBackend } from '../../backend/registry.js';
import { epochsForBudget, type TransferStudyConfig } from './config.js';
import type { TargetData } from './data.js';
import { fineTuneGrid, isStudyRun, type FineTuneRuns, type StudyRun } from './runs.js';
import { nullRecord, recordFrom } from '../../core/safe-keys.js';

/** A progress report: the common fields, the phase, and (fine-tuning) the run just finished. */
export type TransferStudyProgress = StudyProgress<{
  phase: 'data' | 'pretrain' | 'finetune';
  /** Fine-tuning runs finished, and in all (pre-training: epochs). */
  done: number;
  total: number;
  strategy?: StrategyKey;
  budget?: number;
  seed?: number;
  /** Test accuracy of the run just finished. */
  accuracy?: number;
}>;

/** Each strategy's test accuracy by budget: mean and sd over the seeds (fractions). */
export type StrategyResults = Partial<Record<StrategyKey, Record<string, MeanSd>>>;

/**
 * Trains (or takes the recorded) fine-tuning runs of `c`'s grid from `fineTune`'s source model.
 *
 * @example
 * const runs = await runFineTuneGrid(c, fineTune, (p) => log(p.message), { subRuns, signal });
 */
export function runFineTuneGrid(
  c: TransferStudyConfig,
  fineTune: FineTuneRuns,
  onProgress: (p: TransferStudyProgress) => void,
  { subRuns, signal, executor }: StudyRunOptions,
): Promise<StudyRun[]> {
  return runSubRuns(fineTuneGrid(c), {
    store: subRuns,
    signal,
    executor,
    isRecord: isStudyRun,
    onEvent: (e) => {
      if (e.kind !== 'done') return;
      const { strategy, budget, seed, accuracy, baseline } = e.result;
      const what = baseline === undefined ? strategy : `baseline ${baseline}`;
      onProgress({
        phase: 'finetune',
        message: `${what}, ${budget} labels per class, seed ${seed}: ${(100 * accuracy).toFixed(1)}%`,
        done: e.index + 1,
        total: e.total,
        strategy,
        budget,
        seed,
        accuracy,
        run: `${what} ${budget}/class`,
        runIndex: Math.min(e.index + 2, e.total),
        runs: e.total,
      });
    },
    train: (run, ctx) => fineTune.train(run.spec, ctx.signal),
  });
}

/**
 * The grid's runs apart: the strategies' (what the verdict compares) and the baselines'.
 *
 * @example
 * const { runs, baselineRuns } = splitBaselines(await runFineTuneGrid(c, fineTune, onProgress, options));
 */
export function splitBaselines(all: readonly StudyRun[]): { runs: StudyRun[]; baselineRuns: StudyRun[] } {
  return {
    runs: all.filter((r) => r.baseline === undefined),
    baselineRuns: all.filter((r) => r.baseline !== undefined),
  };
}

/**
 * Each configured strategy's accuracy by budget over the seeds' runs, rounded to 4 places.
 *
 * @example
 * strategyResults(c, runs).scratch?.['5']; // { mean: 0.61, sd: 0.04 }
 */
export function strategyResults(c: TransferStudyConfig, runs: readonly StudyRun[]): StrategyResults {
  const results: StrategyResults = {};
  for (const strategy of c.fineTune.strategies) {
    const byBudget = nullRecord<MeanSd>();
    for (const budget of c.target.budgets) {
      const acc = runs
        .filter((r) => r.strategy === strategy && r.baseline === undefined && r.budget === budget)
        .map((r) => r.accuracy);
      const { mean, sd } = meanSd(acc);
      byBudget[String(budget)] = { mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) };
    }
    results[strategy] = byBudget;
  }
  return results;
}

/**
 * The result's description of the target: its name, classes, pool and test examples by budget.
 *
 * @example
 * targetSetup(c, data).testExamples['10']; // 2000
 */
export function targetSetup(
  c: TransferStudyConfig,
  data: TargetData,
): { name: string; classes: number; poolPerClass: number; testExamples: Record<string, number> } {
  const classes = data.targetPool.classNames.length;
  return {
    name: data.targetName,
    classes,
    poolPerClass: data.targetPool.n / classes,
    testExamples: recordFrom(
      c.target.budgets.map((b) => [
        String(b),
        data.targetTest.n + (data.testOnUnusedPool ? data.targetPool.n - classes * b : 0),
      ]),
    ),
  };
}

/**
 * The result's description of the grid: strategies, seeds, epochs by budget, backend and time.
 *
 * @example
 * gridSetup(c, started).epochsByBudget; // { '10': 200 }
 */
export function gridSetup(
  c: TransferStudyConfig,
  started: number,
): {
  strategies: StrategyKey[];
  seeds: number[];
  epochsByBudget: Record<string, number>;
  backend: string;
  seconds: number;
} {
  return {
    strategies: [...c.fineTune.strategies],
    seeds: [...c.fineTune.seeds],
    epochsByBudget: recordFrom(c.target.budgets.map((b) => [String(b), epochsForBudget(c, b)])),
    backend: getBackend().name,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}
