/**
 * The Trainer: epochs of mini-batches through a user step function, with the optimizer update,
 * gradient clipping, lr scheduling, a guard against NaN and infinity, evaluation per epoch,
 * callbacks, checkpoints and bit-exact resumption, a cooperative stop, and early stopping on a
 * validation score with the best epoch's weights restored (early-stopping.ts).
 *
 * The loop yields to the event loop after every step, so a SIGINT handler that calls
 * `requestStop()` runs promptly; the trainer then finishes the current step, writes a checkpoint
 * and returns. Resuming that checkpoint (or one left by a killed process) in a fresh process ends
 * with the same weights, bit for bit, as a run never interrupted.
 *
 * @example
 * manualSeed(0);
 * const model = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true });
 * const trainer = new Trainer({
 *   model, optimizer, loader, epochs: 5, clipGradNorm: 1,
 *   step: ({ x, y }) => ({ loss: nn.functional.crossEntropy(model.forward(x.flatten(1)), y) }),
 *   evaluate: () => evaluate(model, testLoader, { digit: accuracy() }),
 *   checkpoint: { dir: 'runs/mnist', everySteps: 200, metadata: { arch: 'mlp-64' } },
 *   callbacks: { onStepEnd: (e) => bar.update(e.progress) },
 * });
 * trainer.resume();                    // continues from runs/mnist when there is a checkpoint
 * process.once('SIGINT', () => trainer.requestStop());
 * const result = await trainer.fit();  // result.reason: 'completed' | 'stopped' | 'maxSteps' | 'earlyStopped'
 */
import { performance } from 'node:perf_hooks';
import { ValueError } from '../core/errors.js';
import type { Batch } from '../data/index.js';
import { Tensor } from '../tensor/index.js';
import { emit, type CheckpointReason, type Callbacks, type EpochRecord, type FitResult } from './callbacks.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { latestCheckpoint, type CheckpointInfo } from './checkpoint-store.js';
import { EarlyStopping } from './early-stopping.js';
import { NonFiniteError } from './errors.js';
import { LossTally } from './loss-tally.js';
import { withModesRestored } from './modes.js';
import { Throughput } from './throughput.js';
import { runStep, type StepSetup } from './train-step.js';
import type { CheckpointOptions, TrainerOptions } from './trainer-options.js';
import { restoreTraining, snapshotTraining, type TrainingParts } from './trainer-state.js';
import type { JsonValue } from './state-codec.js';

/** The name early stopping's state has among the trainer's stateful objects. */
const EARLY_STOPPING = 'earlyStopping';

const positiveInt = (v: number | undefined): boolean => v === undefined || (Number.isInteger(v) && v >= 1);

function checkOptions<B>(o: TrainerOptions<B>): void {
  const bad = (detail: string): never => {
    throw new ValueError('Trainer', detail);
  };
  if (!Number.isInteger(o.epochs) || o.epochs < 0) bad(`epochs must be a non-negative integer, got ${o.epochs}`);
  if (!positiveInt(o.maxSteps)) bad(`maxSteps must be a positive integer, got ${o.maxSteps}`);
  if (o.clipGradNorm !== undefined && !(o.clipGradNorm > 0 && Number.isFinite(o.clipGradNorm)))
    bad(`clipGradNorm must be a positive number, got ${o.clipGradNorm}`);
  if (!positiveInt(o.evalEvery)) bad(`evalEvery must be a positive integer, got ${o.evalEvery}`);
  if (![undefined, 'auto', 'manual'].includes(o.backward))
    bad(`backward must be 'auto' or 'manual', got '${String(o.backward)}'`);
  if (![undefined, 'error', 'skip'].includes(o.onNonFinite))
    bad(`onNonFinite must be 'error' or 'skip', got '${String(o.onNonFinite)}'`);
  if (o.earlyStopping !== undefined && o.stateful !== undefined && EARLY_STOPPING in o.stateful)
    bad(`stateful: '${EARLY_STOPPING}' is the name early stopping keeps its state under`);
  if (![undefined, 'step', 'epoch'].includes(o.schedulerInterval))
    bad(`schedulerInterval must be 'step' or 'epoch', got '${String(o.schedulerInterval)}'`);
  const c = o.checkpoint;
  if (c !== undefined) {
    if (typeof c.dir !== 'string' || c.dir === '') bad('checkpoint.dir must be a directory path');
    if (!positiveInt(c.everySteps)) bad(`checkpoint.everySteps must be a positive integer, got ${c.everySteps}`);
    if (!positiveInt(c.everyEpochs)) bad(`checkpoint.everyEpochs must be a positive integer, got ${c.everyEpochs}`);
    const k = c.keepLast;
    if (k !== undefined && k !== Infinity && !(Number.isInteger(k) && k >= 1))
      bad(`checkpoint.keepLast must be a positive integer or Infinity, got ${k}`);
  }
}

/** The number of samples in a batch: its first dimension, its x's, or its first tensor's. */
function defaultSamples(batch: unknown): number {
  if (batch instanceof Tensor) return batch.shape[0] ?? 1;
  if (typeof batch !== 'object' || batch === null) return 1;
  const x = (batch as { x?: unknown }).x;
  if (x instanceof Tensor) return x.shape[0] ?? 1;
  for (const v of Object.values(batch)) if (v instanceof Tensor) return v.shape[0] ?? 1;
  return 1;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Trainer<B = Batch> {
  readonly #o: TrainerOptions<B>;
  readonly #parts: TrainingParts;
  readonly #callbacks: readonly Callbacks[];
  readonly #setup: StepSetup<B>;
  readonly #tally = new LossTally();
  #stepsDone = 0;
  #epoch = 0;
  #batchIndex = 0;
  #history: EpochRecord[] = [];
  #stop = false;
  #fitting = false;
  #lastCheckpoint: CheckpointInfo | null = null;
  /** `step/epoch` of the state last saved or loaded: the same state is never written twice. */
  #savedAt: string | null = null;
  #resumedFrom: string | null = null;
  readonly #earlyStopping: EarlyStopping | null;

  constructor(opts: TrainerOptions<B>) {
    checkOptions(opts);
    this.#o = opts;
    this.#earlyStopping = opts.earlyStopping === undefined ? null : new EarlyStopping(opts.earlyStopping);
    this.#parts = {
      model: opts.model,
      optimizer: opts.optimizer,
      scheduler: opts.scheduler ?? null,
      loader: opts.loader,
      stateful: {
        ...opts.stateful,
        ...(this.#earlyStopping === null ? {} : { [EARLY_STOPPING]: this.#earlyStopping }),
      },
    };
    this.#callbacks =
      opts.callbacks === undefined
        ? []
        : Array.isArray(opts.callbacks)
          ? opts.callbacks
          : [opts.callbacks as Callbacks];
    const names = new Map(opts.model.namedParameters().map(([n, p]) => [p as Tensor, n]));
    const params = opts.optimizer.paramGroups.flatMap((g, gi) =>
      g.params.map((p, pi) => [names.get(p) ?? `group ${gi} parameter ${pi}`, p] as const),
    );
    this.#setup = {
      step: opts.step,
      optimizer: opts.optimizer,
      params,
      backward: opts.backward ?? 'auto',
      clipGradNorm: opts.clipGradNorm ?? null,
    };
  }

  /** Steps completed (skipped ones included). */
  get stepsDone(): number {
    return this.#stepsDone;
  }

  /** Epochs completed. */
  get epoch(): number {
    return this.#epoch;
  }

  /** One record per completed epoch. */
  get history(): readonly EpochRecord[] {
    return this.#history;
  }

  /** The newest checkpoint this trainer wrote or resumed from. */
  get lastCheckpoint(): CheckpointInfo | null {
    return this.#lastCheckpoint;
  }

  /** Whether a stop has been requested and not yet carried out. */
  get stopRequested(): boolean {
    return this.#stop;
  }

  /**
   * Asks the running fit to stop after the current step (or the current end-of-epoch work),
   * write a checkpoint when checkpoints are on, and resolve with reason 'stopped'. Safe to call
   * from a signal handler; a fit started after the call stops at once.
   *
   * @example
   * process.once('SIGINT', () => trainer.requestStop());
   */
  requestStop(): void {
    this.#stop = true;
  }

  /**
   * Restores the trainer, model, optimizer, scheduler, loader, random state and stateful objects
   * from a checkpoint: `path`, or by default the newest complete one in `checkpoint.dir`. Returns
   * what was loaded (with the stored metadata), or null when the directory holds no checkpoint yet.
   *
   * @example
   * const from = trainer.resume();   // null: a fresh run
   * const from2 = trainer.resume('runs/a/step-00000120-epoch-0003');
   */
  resume(path?: string): (CheckpointInfo & { metadata?: JsonValue }) | null {
    if (this.#fitting) throw new ValueError('Trainer.resume', 'cannot resume while fit is running');
    let target = path;
    if (target === undefined) {
      const dir = this.#o.checkpoint?.dir;
      if (dir === undefined) throw new ValueError('Trainer.resume', 'give a checkpoint path, or set checkpoint.dir');
      const latest = latestCheckpoint(dir);
      if (latest === null) return null;
      target = latest.path;
    }
    const contents = loadCheckpoint(target);
    const counters = restoreTraining(this.#parts, contents);
    this.#stepsDone = counters.stepsDone;
    this.#epoch = counters.epoch;
    this.#batchIndex = counters.batchIndex;
    this.#history = counters.history;
    this.#tally.loadState(counters.tally);
    const info: CheckpointInfo = { path: target, step: contents.step, epoch: contents.epoch };
    this.#lastCheckpoint = info;
    this.#savedAt = `${contents.step}/${contents.epoch}`;
    this.#resumedFrom = target;
    return contents.metadata === undefined ? info : { ...info, metadata: contents.metadata };
  }

  /**
   * Writes a checkpoint of the current state to `checkpoint.dir` now (between fits, or from a
   * callback) and returns it.
   *
   * @example
   * const { path } = trainer.saveCheckpoint();
   */
  saveCheckpoint(): CheckpointInfo {
    const c = this.#checkpointOptions('Trainer.saveCheckpoint');
    const counters = {
      stepsDone: this.#stepsDone,
      epoch: this.#epoch,
      batchIndex: this.#batchIndex,
      tally: this.#tally.state(),
      history: this.#history,
    };
    const info = saveCheckpoint(c.dir, snapshotTraining(this.#parts, counters, c.metadata), {
      keepLast: c.keepLast ?? 3,
    });
    this.#lastCheckpoint = info;
    this.#savedAt = `${info.step}/${info.epoch}`;
    return info;
  }

  /**
   * Trains until `epochs` epochs (or `maxSteps` steps) are complete, or until requestStop().
   * Rejects with a NonFiniteError on a NaN or infinite value (onNonFinite 'error'), leaving the
   * last checkpoint as it was.
   *
   * @example
   * const { reason, history } = await trainer.fit();
   */
  async fit(): Promise<FitResult> {
    if (this.#fitting) throw new ValueError('Trainer.fit', 'fit is already running');
    this.#fitting = true;
    try {
      return await this.#fit();
    } finally {
      this.#fitting = false;
      this.#stop = false;
    }
  }

  async #fit(): Promise<FitResult> {
    const { loader, epochs } = this.#o;
    if (loader.epoch !== this.#epoch && loader.epoch !== this.#epoch + 1) {
      throw new ValueError(
        'Trainer.fit',
        `the loader has completed ${loader.epoch} epochs, the trainer ${this.#epoch}: give a fresh loader, or resume both from a checkpoint`,
      );
    }
    const perEpoch = loader.batchesPerEpoch ?? null;
    const planned = perEpoch === null ? null : epochs * perEpoch;
    const cap = this.#o.maxSteps ?? Infinity;
    const totalSteps = planned === null ? (cap === Infinity ? null : cap) : Math.min(planned, cap);
    const clock = new Throughput({ stepsDone: this.#stepsDone, totalSteps, batchesPerEpoch: perEpoch, epochs });
    await emit(this.#callbacks, 'onFitStart', {
      progress: clock.progress(this.#stepsDone),
      epoch: this.#epoch,
      resumedFrom: this.#resumedFrom,
    });

    const everySteps = this.#o.checkpoint?.everySteps;
    const everyEpochs = this.#o.checkpoint?.everyEpochs ?? 1;
    if (this.#stop) return this.#finish('stopped', 'stop');
    if (this.#patienceRanOut()) return this.#finish('earlyStopped', 'end');
    while (this.#epoch < epochs) {
      if (this.#stepsDone >= cap) return this.#finish('maxSteps', 'end');
      // A loader one epoch ahead has handed out this epoch's last batch: only the epoch's end remains.
      if (loader.epoch === this.#epoch) {
        for (const batch of loader) {
          await this.#trainStep(batch, clock);
          if (this.#stop) return this.#finish('stopped', 'stop');
          if (this.#stepsDone >= cap) return this.#finish('maxSteps', 'end');
          if (everySteps !== undefined && this.#stepsDone % everySteps === 0) await this.#checkpoint('steps');
          await yieldToEventLoop();
        }
      }
      await this.#endEpoch(clock);
      if (this.#epoch % everyEpochs === 0) await this.#checkpoint('epoch');
      if (this.#stop) return this.#finish('stopped', 'stop');
      if (this.#patienceRanOut()) return this.#finish('earlyStopped', 'end');
    }
    return this.#finish('completed', 'end');
  }

  async #trainStep(batch: B, clock: Throughput): Promise<void> {
    const started = performance.now();
    const ctx = { step: this.#stepsDone, epoch: this.#epoch, batchIndex: this.#batchIndex };
    const lr = this.#o.optimizer.paramGroups.map((g) => g.lr);
    const outcome = await runStep(batch, ctx, this.#setup);
    const skipped = outcome.nonFinite;
    if (skipped !== null) {
      const action = this.#o.onNonFinite ?? 'error';
      await emit(this.#callbacks, 'onNonFinite', { ...skipped, action });
      if (action === 'error') throw new NonFiniteError(skipped, this.#lastCheckpoint?.path ?? null);
      this.#tally.skip();
    } else {
      this.#tally.add(outcome.loss, outcome.losses);
    }
    // a skipped step still consumed its batch: the schedule stays aligned with the data
    if (this.#o.scheduler !== undefined && (this.#o.schedulerInterval ?? 'step') === 'step') this.#o.scheduler.step();
    this.#stepsDone++;
    this.#batchIndex++;
    const samples = (this.#o.samplesIn ?? defaultSamples)(batch);
    clock.record(samples, Throughput.since(started));
    await emit(this.#callbacks, 'onStepEnd', {
      ...ctx,
      loss: outcome.loss,
      losses: outcome.losses,
      lr,
      gradNorm: outcome.gradNorm,
      samples,
      skipped,
      progress: clock.progress(this.#stepsDone),
    });
  }

  async #endEpoch(clock: Throughput): Promise<void> {
    const epoch = this.#epoch;
    const every = this.#o.evalEvery ?? 1;
    const hook = this.#o.evaluate;
    const evalResult =
      hook !== undefined && (epoch + 1) % every === 0
        ? await withModesRestored(this.#o.model, () => hook({ epoch, stepsDone: this.#stepsDone }))
        : null;
    const stopper = this.#earlyStopping;
    const score = this.#o.earlyStopping?.score;
    const judged =
      stopper === null || score === undefined
        ? undefined
        : stopper.update(
            epoch,
            await withModesRestored(this.#o.model, () => score({ epoch, stepsDone: this.#stepsDone })),
            this.#o.model,
          );
    if (this.#o.scheduler !== undefined && this.#o.schedulerInterval === 'epoch') this.#o.scheduler.step();
    const record: EpochRecord = {
      epoch,
      ...this.#tally.summary(),
      eval: evalResult,
      ...(judged === undefined ? {} : { earlyStopping: judged }),
    };
    this.#history.push(record);
    this.#epoch++;
    this.#batchIndex = 0;
    this.#tally.reset();
    const lr = this.#o.optimizer.paramGroups.map((g) => g.lr);
    await emit(this.#callbacks, 'onEpochEnd', { ...record, lr, progress: clock.progress(this.#stepsDone) });
  }

  /** Writes a checkpoint unless checkpoints are off or this state was already saved. */
  async #checkpoint(reason: CheckpointReason): Promise<void> {
    if (this.#o.checkpoint === undefined || this.#savedAt === `${this.#stepsDone}/${this.#epoch}`) return;
    const info = this.saveCheckpoint();
    await emit(this.#callbacks, 'onCheckpoint', { ...info, reason });
  }

  async #finish(reason: FitResult['reason'], checkpointReason: CheckpointReason): Promise<FitResult> {
    // a fit that ends (not one paused by a stop or the step limit) ends with the best epoch's
    // weights; the final checkpoint is written again so that it holds them
    const best = this.#earlyStopping?.summary() ?? null;
    const ends = reason === 'completed' || reason === 'earlyStopped';
    // (when the last epoch was the best, the model already holds its weights)
    if (ends && best !== null && best.bestEpoch !== this.#epoch - 1 && this.#earlyStopping!.restore(this.#o.model))
      this.#savedAt = null;
    await this.#checkpoint(checkpointReason);
    const result: FitResult = {
      reason,
      stepsDone: this.#stepsDone,
      epoch: this.#epoch,
      history: [...this.#history],
      checkpoint: this.#lastCheckpoint,
      ...(this.#earlyStopping === null ? {} : { earlyStopping: this.#earlyStopping.summary() }),
    };
    await emit(this.#callbacks, 'onFitEnd', result);
    return result;
  }

  /** Whether early stopping is on and its patience has run out. */
  #patienceRanOut(): boolean {
    return this.#earlyStopping?.stopped === true;
  }

  #checkpointOptions(where: string): CheckpointOptions {
    const c = this.#o.checkpoint;
    if (c === undefined) throw new ValueError(where, 'checkpoint.dir is not set');
    return c;
  }
}
