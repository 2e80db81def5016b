/**
 * T5's "multi-task pre-training + fine-tuning" (Raffel et al. 2020, §3.7 and Table 12) as a run of
 * the multi-task study: the shared model trains on the mixture of every task (the run's mixing) for
 * the first `epochs − finetuneEpochs` epochs, then a copy of it is fine-tuned on each task alone for
 * the last `finetuneEpochs` epochs, and each task is scored by its own fine-tuned copy. Every
 * task's final model has then taken the study's `epochs` of steps, as a single-task baseline and a
 * mixture-only run have: the comparison is at equal steps per final model (the fine-tunings
 * together cost T × finetuneEpochs epochs more compute than one mixture run).
 *
 * With `spec.unsupervised` (the run `mlm+ft`, T5's baseline of Table 12) the pre-training is masked-
 * language modelling of the trunk on the tasks' training text instead (mlm-pretrain.ts), for as many
 * steps as the mixture phase; the fine-tuning is the same.
 *
 * The copy keeps the pre-trained trunk and the task's own pre-trained head (the other heads are
 * dropped), is optimised afresh (Adam's moments start at zero, as T5's fine-tuning restarts its
 * optimiser), and draws its batches from the task's source alone with its own seed stream.
 *
 * @example
 * const out = await trainStudyRun(data, c, { label: 'ew@T2+ft', tasks, method: 'ew', width: 10, seed: 0, mixing, finetuneEpochs: 1 }, onStep);
 * out.results.pos.accuracy; // scored by the copy fine-tuned on pos alone
 */
import { manualSeed } from '../../core/rng.js';
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import type { EvaluationResult, StepEndEvent } from '../../train/index.js';
import { evaluateTasks } from '../evaluate.js';
import type { MtlStudyConfig } from './config.js';
import { testBatches, type StudyData } from './data.js';
import { fitStage, studyModel, trainAndEvaluate, trunkArch, type RunOutcome, type RunSpec } from './run-one.js';
import { recordFrom } from '../../core/safe-keys.js';
import { pretrainTrunkMlm } from './mlm-pretrain.js';

/** The label suffix of a run that pre-trains on its mixture, then fine-tunes on each task. */
export const FINETUNE_SUFFIX = '+ft';

/** The seed stream of task k's fine-tuning (apart from the pre-training's and every other task's). */
const finetuneSeed = (seed: number, k: number): number => seed * 1000 + 101 + k;

/**
 * The weights of `state` a copy for `task` starts from: the trunk and that task's head.
 *
 * @example
 * taskWeights(model.stateDict(), 'pos'); // { 'trunk.…': …, 'heads.pos.…': … }
 */
export function taskWeights(state: Readonly<Record<string, Tensor>>, task: string): Record<string, Tensor> {
  return recordFrom(
    Object.entries(state)
      .filter(([k]) => k.startsWith('trunk.') || k.startsWith(`heads.${task}.`))
      .map(([k, t]) => [k, t.clone().detach()]),
  );
}

/**
 * Pre-trains on the mixture, then fine-tunes a copy on each task alone (the module comment).
 *
 * @example
 * await pretrainThenFinetune(data, c, spec, onStep, signal);
 */
export async function pretrainThenFinetune(
  data: StudyData,
  c: MtlStudyConfig,
  spec: RunSpec & { finetuneEpochs: number },
  onStep: (e: StepEndEvent) => void,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const started = performance.now();
  const pretrainEpochs = c.epochs - spec.finetuneEpochs;
  if (!Number.isInteger(spec.finetuneEpochs) || spec.finetuneEpochs < 1 || pretrainEpochs < 1)
    throw new ValueError(
      'pretrainFinetune.finetuneEpochs',
      `must be a whole number from 1 to epochs − 1 (${c.epochs - 1}), got ${spec.finetuneEpochs}`,
    );
  manualSeed(spec.seed);
  const shared = studyModel(data, spec.tasks, spec.width, c.trunk);
  const u = spec.unsupervised;
  const pre =
    u === undefined
      ? await fitStage(
          shared,
          data,
          c,
          { tasks: spec.tasks, method: spec.method, seed: spec.seed, epochs: pretrainEpochs, mixing: spec.mixing },
          onStep,
          signal,
        )
      : null;
  const mlm =
    u === undefined
      ? null
      : await pretrainTrunkMlm(
          shared,
          data,
          c,
          { seed: spec.seed, epochs: pretrainEpochs, maskProbability: u.maskProbability },
          onStep,
          signal,
        );
  const state = shared.stateDict();
  const stages: NonNullable<RunOutcome['stages']> = [
    pre === null ? { stage: `pre-training (${u!.objective})`, ...mlm! } : { stage: 'pre-training', ...curvesOf(pre) },
  ];
  const results: EvaluationResult = {};
  for (const [k, task] of spec.tasks.entries()) {
    manualSeed(finetuneSeed(spec.seed, k));
    // its weights are the shared model's, loaded below: the trunk's file is not read again
    const copy = studyModel(data, [task], spec.width, { ...c.trunk, weights: undefined });
    copy.loadStateDict(taskWeights(state, task.name), { strict: true });
    const ft = await fitStage(
      copy,
      data,
      c,
      { tasks: [task], method: 'ew', seed: finetuneSeed(spec.seed, k), epochs: spec.finetuneEpochs },
      onStep,
      signal,
    );
    stages.push({ stage: `fine-tuning ${task.name}`, ...curvesOf(ft) });
    Object.assign(results, evaluateTasks(copy, [task], testBatches(data)));
  }
  const first = pre ?? mlm!;
  return {
    results,
    // a run pre-trained without its tasks weights none of them while it pre-trains
    weights: pre?.run.weights ?? { steps: [], weights: {} },
    affinity: null,
    seconds: (performance.now() - started) / 1000,
    params: shared.numParameters(),
    arch: trunkArch(data, c.trunk),
    losses: first.losses,
    ...(first.valLosses === undefined ? {} : { valLosses: first.valLosses }),
    stages,
  };
}

function curvesOf(s: Awaited<ReturnType<typeof fitStage>>): Omit<NonNullable<RunOutcome['stages']>[number], 'stage'> {
  return {
    losses: s.losses,
    ...(s.valLosses === undefined ? {} : { valLosses: s.valLosses }),
    ...(s.stopped === undefined ? {} : { stopped: s.stopped }),
    steps: s.run.fit.stepsDone,
  };
}

/**
 * Trains one sub-run of the study's grid: a pre-train-then-fine-tune run (spec.finetuneEpochs set)
 * or any other (trainAndEvaluate).
 *
 * @example
 * await trainStudyRun(data, c, grid[0]!.spec, onStep, signal);
 */
export function trainStudyRun(
  data: StudyData,
  c: MtlStudyConfig,
  spec: RunSpec,
  onStep: (e: StepEndEvent) => void,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const { finetuneEpochs } = spec;
  return finetuneEpochs === undefined
    ? trainAndEvaluate(data, c, spec, onStep, signal)
    : pretrainThenFinetune(data, c, { ...spec, finetuneEpochs }, onStep, signal);
}
