/**
 * The multi-task study behind `polytask study mtl`: on one dataset, train single-task baselines and
 * the chosen weighting methods with the same budget (epochs, batch size, learning rate, trunk), for
 * each seed, and report
 * - `results`: held-out metrics by run ('single' and each method's short key, or `<method>@<mixing>`
 *   when the study compares mixings; `…+ft` for T5's pre-training on the mixture then fine-tuning
 *   on each task, with `pretrainFinetune`), task, metric;
 * - `deltaM`: Δm of each method against the single-task baselines, in percent (delta-m.ts);
 * - `negativeTransfer`: per method, the tasks that fall below their single-task baselines;
 * - `affinity`: per method, TAG lookahead affinity and gradient cosine every K steps (affinity.ts);
 * - `weightsOverTime`: per method, the task weights it used, averaged over windows of steps;
 * - `checks`: does multi-task learning make sense here — shared input, comparable labelled data, and
 *   a network big enough (the methods against single-task models of equal total capacity);
 * - `verdict`: the shared verdict shape (src/study/verdict.ts): outcome (helps | hurts |
 *   no-difference | inconclusive), the best method's Δm against single-task models of equal
 *   capacity with its 95% t interval paired by seed, the checks that decided it and what to run
 *   next (study/verdict.ts).
 * Values are means over seeds; NaN (a metric or affinity that could not be computed) prints as null
 * in JSON. The function never prints: it reports progress through `onProgress`.
 *
 * Resumable: given a sub-run store (src/study/sub-runs.ts), through the study runner (src/study/runner.ts), every finished run is recorded under
 * `<run>-seed<seed>` ('single:left-seed0', 'pcgrad-seed1'), and a second call skips the recorded
 * runs, taking their outcomes. Each run seeds its own initialisation and data order, so the result
 * is the uninterrupted study's. An abort of `signal` stops the run under way after its current
 * step and the study rejects with a StoppedError; that run is not recorded, and a resume trains it
 * again from its start.
 *
 * @example
 * const result = await runMtlStudy({ dataset: 'multimnist', methods: ['ew', 'pcgrad'], epochs: 1 }, (p) => log(p.message));
 * result.deltaM.pcgrad;             // e.g. 1.3 (percent better than single-task)
 * result.results.single.left;       // { accuracy: 0.87 }
 * await runMtlStudy(config, onProgress, { subRuns: FileSubRunStore.open('runs/a/subruns', { config }), signal });
 */
import { getBackend } from '../backend/registry.js';
import {
  mean,
  runSubRuns,
  type EffectOutcome,
  type StudyProgress,
  type StudyRunOptions,
  type StudyVerdict,
} from '../study/index.js';
import type { EvaluationResult, StepEndEvent } from '../train/index.js';
import type { AffinityHistory } from './affinity-tracker.js';
import type { CapacityCheck } from './capacity.js';
import { dataBalanceCheck, sharedInputCheck, type DataBalanceCheck, type SharedInputCheck } from './checks.js';
import { deltaM, taskDeltas, type TaskDirections } from './delta-m.js';
import { negativeTransfer } from './negative-transfer.js';
import { meanAffinity, meanResults, meanWeights } from './study/aggregate.js';
import { multiTaskLabels, parseStudyConfig, type MtlStudyConfig, type MtlStudyConfigInput } from './study/config.js';
import { loadStudyData } from './study/data.js';
import { isZooArch } from '../models/zoo/zoo-net.js';
import { mtlGrid } from './study/grid.js';
import { trainStudyRun } from './study/pretrain-finetune.js';
import { isRunOutcome, type RunOutcome } from './study/run-one.js';
import { decideMtlVerdict } from './study/verdict.js';
import { summarizeTask, type TaskSummary } from './task.js';
import type { WeightsOverTime } from './weight-history.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

/** What the study reports while it runs: the common fields, its phase and the run's seed. */
export type MtlStudyProgress = StudyProgress<{ phase: 'data' | 'train' | 'done'; seed?: number }>;

/** What the study takes besides its config: sub-run records, abort signal, executor. */
export type MtlStudyOptions = StudyRunOptions;

/** The "does multi-task learning make sense here" checks. */
export interface MtlChecks {
  sharedInput: SharedInputCheck;
  dataBalance: DataBalanceCheck;
  /** null when capacityCheck is off. */
  capacity: CapacityCheck | null;
}

/** The study's result: the JSON `polytask study mtl --json` prints. */
export interface MtlStudyResult {
  dataset: string;
  backend: string;
  seeds: number[];
  tasks: TaskSummary[];
  methods: string[];
  /** 'single' and each method → task → metric → value (mean over seeds). */
  results: Record<string, EvaluationResult>;
  /** Method → Δm against 'single', percent. */
  deltaM: Record<string, number>;
  /** Method → task → relative change against 'single', percent. */
  taskDeltas: Record<string, Record<string, number>>;
  /** Method → tasks below their single-task baselines. */
  negativeTransfer: Record<string, string[]>;
  /** Method → affinity over time (absent when affinity.every is 0 or there is one task). */
  affinity: Record<string, AffinityHistory>;
  /** Method → task weights over time. */
  weightsOverTime: Record<string, WeightsOverTime>;
  checks: MtlChecks;
  /** The answer: outcome, Δm with its interval over seeds, the checks that decided it, what to run next (src/study/verdict.ts). */
  verdict: StudyVerdict<EffectOutcome>;
  /** Seconds: the whole study, and each run's mean over seeds. */
  timing: { total: number; runs: Record<string, number> };
  /** The configuration used, defaults filled in. */
  config: MtlStudyConfig;
}

/**
 * Runs the study. `config` is validated and completed with defaults (see study/config.ts); a bad
 * field throws a ConfigError naming it.
 *
 * @example
 * const r = await runMtlStudy({}, () => {});   // the default study on MultiMNIST
 * JSON.stringify(r);
 */
export async function runMtlStudy(
  config: MtlStudyConfigInput | MtlStudyConfig,
  onProgress: (p: MtlStudyProgress) => void = () => {},
  options: MtlStudyOptions = {},
): Promise<MtlStudyResult> {
  const started = performance.now();
  const c = parseStudyConfig(config);
  onProgress({ phase: 'data', message: `loading ${c.dataset}` });
  const data = await loadStudyData(c);
  const tasks = data.tasks;
  const directions: TaskDirections = recordFrom(tasks.map((t) => [t.name, t.directions]));
  const checksFromData = {
    sharedInput: sharedInputCheck(data.train),
    dataBalance: dataBalanceCheck(Object.values(data.train)),
  };
  const { grid, capacity } = mtlGrid(data, c);
  const done = await runSubRuns(grid, {
    store: options.subRuns,
    signal: options.signal,
    executor: options.executor,
    isRecord: isRunOutcome,
    onEvent: (e) => {
      if (e.kind !== 'start') return;
      const spec = e.run.spec;
      onProgress({
        phase: 'train',
        message: `run ${e.index + 1}/${e.total}: ${spec.label} (seed ${spec.seed})`,
        run: spec.label,
        seed: spec.seed,
        runIndex: e.index + 1,
        runs: e.total,
      });
    },
    train: ({ spec }, ctx) => {
      const base = { run: spec.label, seed: spec.seed, runIndex: ctx.index + 1, runs: ctx.total };
      const onStep = (e: StepEndEvent): void =>
        onProgress({
          phase: 'train',
          message: `${spec.label} seed ${spec.seed} epoch ${e.epoch + 1}/${c.epochs} step ${e.progress.stepsDone}/${e.progress.totalSteps ?? '?'} loss ${e.loss.toFixed(4)}`,
          ...base,
          epoch: e.epoch,
          epochs: c.epochs,
          step: e.progress.stepsDone,
          steps: e.progress.totalSteps,
          loss: e.loss,
          losses: e.losses,
          etaSeconds: e.progress.etaSeconds,
        });
      return trainStudyRun(data, c, spec, onStep, ctx.signal);
    },
  });
  const outcomes = new Map<string, RunOutcome[]>();
  for (const [k, out] of done.entries()) {
    const label = grid[k]!.spec.label;
    outcomes.set(label, [...(outcomes.get(label) ?? []), out]);
  }

  const resultsOf = (label: string): EvaluationResult => meanResults(outcomes.get(label)!.map((o) => o.results));
  const single: EvaluationResult = Object.assign({}, ...tasks.map((t) => resultsOf(`single:${t.name}`)));
  const results: Record<string, EvaluationResult> = { single };
  const dm = nullRecord<number>();
  const deltas = nullRecord<Record<string, number>>();
  const negative = nullRecord<string[]>();
  const affinity = nullRecord<AffinityHistory>();
  const weightsOverTime = nullRecord<WeightsOverTime>();
  const labels = multiTaskLabels(c);
  for (const m of labels) {
    const r = resultsOf(m);
    results[m] = r;
    dm[m] = deltaM(r, single, directions);
    deltas[m] = taskDeltas(r, single, directions);
    negative[m] = negativeTransfer(r, single, directions, { tolerance: c.tolerance });
    const outs = outcomes.get(m)!;
    weightsOverTime[m] = meanWeights(outs.map((o) => o.weights));
    const hist = outs.map((o) => o.affinity).filter((a): a is AffinityHistory => a !== null);
    if (hist.length > 0) affinity[m] = meanAffinity(hist);
  }

  let capacityCheck: CapacityCheck | null = null;
  if (capacity !== null) {
    const equal: EvaluationResult = Object.assign({}, ...tasks.map((t) => resultsOf(`capacity:${t.name}`)));
    const vsEqual = recordFrom(labels.map((m) => [m, deltaM(results[m]!, equal, directions)]));
    capacityCheck = {
      multiTaskParams: capacity.multi,
      singleTaskParams: capacity.single,
      equalCapacityWidth: capacity.width,
      equalCapacityParams: capacity.equal,
      equalCapacityResults: equal,
      deltaMVsEqualCapacity: vsEqual,
      ok: Object.values(vsEqual).some((v) => v > 0),
    };
  }
  const verdict = decideMtlVerdict({
    methods: labels,
    perSeed: new Map([...outcomes].map(([label, outs]) => [label, outs.map((o) => o.results)])),
    tasks: tasks.map((t) => t.name),
    directions,
    sharedInput: checksFromData.sharedInput,
    dataBalance: checksFromData.dataBalance,
    capacityRun: capacity !== null,
    ...(c.capacityCheck && isZooArch(c.trunk.arch)
      ? { capacitySkipped: `the ${c.trunk.arch} trunk has no width to narrow` }
      : {}),
    width: c.trunk.width,
    smokeTest: c.smokeTest,
    chance: recordFrom(
      tasks.filter((t) => t.kind === 'multiclass' && 'accuracy' in t.directions).map((t) => [t.name, 1 / t.outputs]),
    ),
    // a run of stages (pre-training, then a fine-tuning per task) is judged stage by stage
    losses: done.flatMap((o, k) => {
      const label = `${grid[k]!.spec.label} seed ${grid[k]!.spec.seed}`;
      return (o.stages ?? [{ stage: null, ...o }]).map((s) => ({
        label: s.stage === null ? label : `${label} (${s.stage})`,
        losses: s.losses ?? null,
        validation: s.valLosses ?? null,
        stopped: s.stopped === true,
      }));
    }),
  });
  const timing = {
    total: (performance.now() - started) / 1000,
    runs: recordFrom([...outcomes].map(([label, outs]) => [label, mean(outs.map((o) => o.seconds))])),
  };
  onProgress({ phase: 'done', message: `done in ${timing.total.toFixed(1)} s` });
  return {
    dataset: data.name,
    backend: getBackend().name,
    seeds: [...c.seeds],
    tasks: tasks.map(summarizeTask),
    methods: labels,
    results,
    deltaM: dm,
    taskDeltas: deltas,
    negativeTransfer: negative,
    affinity,
    weightsOverTime,
    checks: { ...checksFromData, capacity: capacityCheck },
    verdict,
    timing,
    config: c,
  };
}
