/**
 * `polytask finetune` as it runs: the configured strategy of polytask/transfer (or LoRA) through
 * the one runner the transfer study uses (src/transfer/finetune.ts), with its epochs drawn as a bar
 * and logged to the run's metrics.jsonl, Ctrl-C turned into a clean stop, the fine-tuned model
 * (LoRA: merged into plain layers) saved as the run's checkpoint so `eval` and `predict` read it
 * like any other run's, LoRA's adapters and head also saved on their own, and the model scored on
 * the test split.
 *
 * The strategies train on the loop `train` runs (src/transfer/fit.ts over the Trainer): the
 * config's optimizer (Adam, AdamW or SGD with momentum; constant or cosine rate), gradient
 * clipping, class weights, and early stopping on a validation split by `training.earlyStopping`
 * (each phase keeps its best epoch), from the same `training:` keys as `train`. Step limits
 * (maxSteps, checkpointEverySteps) have no meaning across a strategy's phases and are refused.
 *
 * @example
 * checkFinetuneConfig(config);                       // before the run directory exists
 * const done = await fitFinetune({ run, config, model, description, data, extras, out, bars, source });
 * done.evaluation.class.accuracy;
 */
import { join } from 'node:path';
import { DataLoader } from '../../data/index.js';
import type { LoadedData } from '../../data/sources/index.js';
import { saveSafetensors } from '../../io/index.js';
import type { MultiTaskModel } from '../../models/hard-sharing.js';
import { accuracy, evaluate, macroF1, StoppedError, type EvaluationResult, type JsonValue } from '../../train/index.js';
import type { ArchDescription } from '../../transfer/arch/types.js';
import { ValueError } from '../../core/errors.js';
import { Conv2d, Linear } from '../../nn/index.js';
import { buildModel } from '../../transfer/arch/registry.js';
import { savePretrained } from '../../transfer/checkpoint.js';
import { injectLora } from '../../transfer/lora/inject.js';
import { runFineTune, type LoraOutcome } from '../../transfer/finetune.js';
import { layerwiseParamGroups } from '../../transfer/layer-lr.js';
import type { FineTuneOptions } from '../../transfer/strategies/types.js';
import type { FinetuneConfig } from '../config/train-schema.js';
import { CliError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { num } from '../format.js';
import type { Output } from '../output.js';
import type { ProgressBars } from '../progress.js';
import type { TrainingExtras } from './conveniences.js';
import { givenWeights } from './model.js';
import type { RunSession } from '../run-store.js';
import { recordFrom } from '../../core/safe-keys.js';

/** The file LoRA's trained tensors (adapters and head) are saved to, in the run directory. */
export const LORA_ADAPTER_FILE = 'lora-adapter.safetensors';

/** Rows per forward pass when evaluating. */
const EVAL_BATCH = 500;

export interface FinetuneRun {
  run: RunSession;
  config: FinetuneConfig;
  model: MultiTaskModel;
  description: ArchDescription;
  data: LoadedData;
  /** The training examples less the validation split, the validation split, the class weights (conveniences.ts). */
  extras: TrainingExtras;
  out: Output;
  bars: ProgressBars;
  /** Stored with the checkpoint beside the description. */
  source: JsonValue;
}

/** What a finished (or stopped) fine-tuning did. */
export interface FinetuneOutcome {
  reason: 'completed' | 'stopped';
  /** Epochs finished, every phase counted. */
  epochs: number;
  /** Optimizer steps taken (batches of every finished epoch). */
  steps: number;
  evaluation: EvaluationResult;
  checkpoint: string | null;
  /** discriminative: the rate of each layer group, bottom to top. */
  groupRates: Record<string, number> | null;
  lora: { adapter: string; adapted: string[]; trainable: number; total: number; mergeMaxAbsDiff: number } | null;
}

/**
 * Refuses, before any run directory exists, what has no meaning across a strategy's phases: step
 * limits and step checkpoints; and a finetune that names no starting point (`finetune.from`, or a
 * zoo model's `model.weights`) or both.
 *
 * @example
 * checkFinetuneConfig(config); // throws a CliError for training.maxSteps
 */
export function checkFinetuneConfig(config: FinetuneConfig): void {
  const { training: t } = config;
  const refused: [string, boolean][] = [
    ['training.maxSteps', t.maxSteps !== undefined],
    ['training.checkpointEverySteps', t.checkpointEverySteps !== undefined],
  ];
  const bad = refused.find(([, is]) => is);
  if (bad !== undefined)
    throw new CliError(
      `finetune: ${bad[0]} is not supported: a strategy trains in phases of training.epochs each (early stopping: training.earlyStopping)`,
    );
  const weights = givenWeights(config.model);
  if ((config.finetune.from === undefined) === (weights === undefined))
    throw new CliError(
      config.finetune.from === undefined
        ? 'finetune: give the model to start from: --from RUN (a pre-trained run or checkpoint), or --arch ARCH --weights FILE.safetensors'
        : `finetune: --from ${config.finetune.from} and --weights ${weights} both name the starting model; give one`,
    );
}

/**
 * Refuses, before any run directory exists, LoRA adapters that cannot go on the model: targets
 * that match no linear or conv layer, a rank above a layer's. Tried on a fresh model of the same
 * architecture, so the check is the injection itself.
 *
 * @example
 * checkFinetuneModel(description, config); // throws for --lora-targets heads.x
 */
export function checkFinetuneModel(description: ArchDescription, config: FinetuneConfig): void {
  const f = config.finetune;
  if (f.strategy !== 'lora') return;
  const trial = buildModel(description);
  try {
    injectLora(trial, {
      targets: f.lora.targets,
      rank: f.lora.rank,
      ...(f.lora.alpha === undefined ? {} : { alpha: f.lora.alpha }),
    });
  } catch (err) {
    if (!(err instanceof ValueError)) throw err;
    const layers = trial
      .namedModules()
      .filter(([, m]) => m instanceof Linear || m instanceof Conv2d)
      .map(([name]) => name);
    throw new CliError(`finetune.lora: ${err.message}; the model's linear and conv layers are ${layers.join(', ')}`);
  }
}

/** The strategy options of a finetune config: the same loop options as `train` (optimizer, clipping, class weights, early stopping). */
function strategyOptions(c: FinetuneConfig, extras: TrainingExtras): FineTuneOptions {
  const f = c.finetune;
  const t = c.training;
  const o = c.optimizer;
  const stop = t.earlyStopping;
  return {
    epochs: t.epochs,
    batchSize: t.batchSize,
    lr: o.lr,
    weightDecay: o.weightDecay,
    seed: c.seed,
    frozenBatchNorm: f.frozenBatchNorm,
    optimizer: { name: o.name, momentum: o.momentum, schedule: o.schedule },
    ...(t.clipGradNorm === undefined ? {} : { clipGradNorm: t.clipGradNorm }),
    ...(extras.classWeight === null ? {} : { classWeight: extras.classWeight }),
    ...(stop === undefined || extras.val === null
      ? {}
      : {
          validation: {
            data: extras.val,
            patience: stop.patience,
            metric: stop.metric,
            minDelta: stop.minDelta,
            ...(stop.mode === undefined ? {} : { mode: stop.mode }),
          },
        }),
    ...(f.probeLr === undefined ? {} : { probeLr: f.probeLr }),
    ...(f.probeEpochs === undefined ? {} : { probeEpochs: f.probeEpochs }),
    ...(f.layerDecay === undefined ? {} : { layerDecay: f.layerDecay }),
    ...(f.l2sp === undefined ? {} : { l2sp: f.l2sp }),
    ...(f.bss === undefined
      ? {}
      : { bss: f.bss.k === undefined ? { eta: f.bss.eta } : { eta: f.bss.eta, k: f.bss.k } }),
  };
}

/** Epochs of every phase of the run, for the progress bar. */
function totalEpochs(c: FinetuneConfig): number {
  return c.training.epochs + (c.finetune.strategy === 'lp-ft' ? (c.finetune.probeEpochs ?? c.training.epochs) : 0);
}

/** Saves LoRA's trained tensors with their shape, so the adapters can be applied to the base again. */
function saveAdapter(s: FinetuneRun, lora: LoraOutcome): string {
  const l = s.config.finetune.lora;
  const path = join(s.run.dir, LORA_ADAPTER_FILE);
  saveSafetensors(path, lora.adapter, {
    rank: String(l.rank),
    alpha: String(l.alpha ?? l.rank),
    targets: JSON.stringify(l.targets),
    adapted: JSON.stringify(lora.adapted),
    from: s.config.finetune.from ?? givenWeights(s.config.model) ?? '',
  });
  return path;
}

/**
 * Fine-tunes the run's model by its strategy, saves it and scores it on the test split.
 *
 * @example
 * const { reason, evaluation, lora } = await fitFinetune(setup);
 */
export async function fitFinetune(s: FinetuneRun): Promise<FinetuneOutcome> {
  const { config, model, data, out } = s;
  const { task } = config;
  const f = config.finetune;
  const options = strategyOptions(config, s.extras);
  const groupRates =
    f.strategy === 'discriminative'
      ? recordFrom(
          layerwiseParamGroups(model, {
            lr: options.lr,
            ...(f.layerDecay === undefined ? {} : { decay: f.layerDecay }),
          }).map((g) => [g.name, g.lr]),
        )
      : null;
  const total = totalEpochs(config);
  const bar = s.bars.bar('finetune', total);
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort(), out);
  const started = Date.now();
  let done = 0;
  let reason: FinetuneOutcome['reason'] = 'completed';
  let lora: LoraOutcome | null = null;
  try {
    lora = (
      await runFineTune({
        model,
        task,
        train: s.extras.train,
        method: f.strategy,
        options,
        lora: {
          rank: f.lora.rank,
          dropout: f.lora.dropout,
          targets: f.lora.targets,
          ...(f.lora.alpha === undefined ? {} : { alpha: f.lora.alpha }),
        },
        signal: abort.signal,
        onEpoch: (e) => {
          done += 1;
          bar.update(done, { epoch: `${done}/${total}`, loss: e.loss, tasks: e.phase });
          s.run.metrics.append({
            type: 'epoch',
            // lp-ft's two phases are two sections: finetune/probe and finetune/fine-tune
            section: e.phase === 'train' ? 'finetune' : `finetune/${e.phase}`,
            step: done,
            epoch: done - 1,
            loss: e.loss,
            losses: { [task]: e.loss },
            seconds: (Date.now() - started) / 1000,
          });
          if (!s.bars.enabled)
            out.note(`finetune ${f.strategy} (${e.phase}): epoch ${e.epoch + 1}/${e.epochs} loss ${num(e.loss, 4)}`);
        },
      })
    ).lora;
  } catch (err) {
    if (!(err instanceof StoppedError)) throw err;
    reason = 'stopped';
  } finally {
    release();
    s.bars.stop();
  }
  const steps = done * Math.ceil(s.extras.train.length / config.training.batchSize);
  const testLoader = new DataLoader(data.test, { batchSize: EVAL_BATCH });
  const evaluation = evaluate(model, testLoader, { [task]: [accuracy(), macroF1()] });
  if (reason === 'stopped')
    return { reason, epochs: done, steps, evaluation, checkpoint: null, groupRates, lora: null };
  const checkpoint = savePretrained(s.run.checkpointsDir, model, s.description, {
    epoch: total,
    step: steps,
    source: s.source,
  }).path;
  return {
    reason,
    epochs: done,
    steps,
    evaluation,
    checkpoint,
    groupRates,
    lora:
      lora === null
        ? null
        : {
            adapter: saveAdapter(s, lora),
            adapted: lora.adapted,
            trainable: lora.summary.trainable,
            total: lora.summary.total,
            mergeMaxAbsDiff: lora.mergeMaxAbsDiff,
          },
  };
}
