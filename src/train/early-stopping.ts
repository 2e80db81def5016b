/**
 * Early stopping: a validation score read at the end of every epoch, the best epoch's weights
 * kept (a copy of the model's state, parameters and buffers), and a stop once `patience` epochs
 * in a row have not improved on the best by more than `minDelta`. The Trainer runs it (option
 * `earlyStopping`) and, when the fit ends (all epochs done, or stopped early), copies the best
 * weights back into the model, bit for bit. Its state, the kept weights included, travels in the
 * trainer's checkpoints, so an interrupted run resumes with the same best and the same count.
 *
 * Select on a validation split carved from the training data, never on the test split: a stopping
 * epoch chosen by test scores makes the reported test score an optimistic one.
 *
 * @example
 * const stopper = new EarlyStopping({ metric: 'accuracy', mode: 'max', patience: 3, minDelta: 0.001 });
 * stopper.update(0, 0.91, model); // { improved: true, stop: false, best: 0.91, bestEpoch: 0, wait: 0, ... }
 * stopper.update(1, 0.90, model); // { improved: false, stop: false, wait: 1, ... }
 * stopper.restore(model);         // the weights of epoch 0
 */
import { ValueError } from '../core/errors.js';
import type { AnyModule } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import type { Stateful } from './trainer-options.js';
import { recordFrom } from '../core/safe-keys.js';

/** How early stopping judges an epoch. */
export interface EarlyStoppingSettings {
  /** The name of the score, for records and messages ('accuracy', 'loss'). */
  metric: string;
  /** 'max': a higher score is better (accuracy); 'min': a lower one is (loss). */
  mode: 'max' | 'min';
  /** Epochs in a row without improvement after which training stops (at least 1). */
  patience: number;
  /** An improvement must beat the best by more than this (default 0). */
  minDelta?: number;
}

/** What early stopping made of one epoch; kept in the epoch's record. */
export interface EarlyStoppingRecord {
  metric: string;
  /** This epoch's score. */
  value: number;
  /** The best score so far (this one's, when it improved). */
  best: number;
  /** The epoch of the best score. */
  bestEpoch: number;
  /** Epochs since the best. */
  wait: number;
  improved: boolean;
  /** Whether training stops after this epoch. */
  stop: boolean;
}

/** Where early stopping ended: the epoch whose weights the model holds, and its score. */
export interface EarlyStoppingSummary {
  metric: string;
  mode: 'max' | 'min';
  bestEpoch: number;
  best: number;
  /** Whether patience ran out before the planned epochs. */
  stopped: boolean;
}

interface State {
  best: number | null;
  bestEpoch: number;
  wait: number;
  stopped: boolean;
  weights: Record<string, Tensor> | null;
}

/** A bit-for-bit copy of the model's state, sharing nothing with it. */
const snapshot = (model: AnyModule): Record<string, Tensor> =>
  recordFrom(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone().detach()]));

export class EarlyStopping implements Stateful {
  readonly settings: Required<EarlyStoppingSettings>;
  #s: State = { best: null, bestEpoch: -1, wait: 0, stopped: false, weights: null };

  constructor(settings: EarlyStoppingSettings) {
    const { metric, mode, patience } = settings;
    const minDelta = settings.minDelta ?? 0;
    const bad = (detail: string): never => {
      throw new ValueError('EarlyStopping', detail);
    };
    if (typeof metric !== 'string' || metric === '') bad('metric must be a name');
    if (mode !== 'max' && mode !== 'min') bad(`mode must be 'max' or 'min', got '${String(mode)}'`);
    if (!Number.isInteger(patience) || patience < 1) bad(`patience must be a positive integer, got ${patience}`);
    if (!(minDelta >= 0 && Number.isFinite(minDelta))) bad(`minDelta must be a non-negative number, got ${minDelta}`);
    this.settings = { metric, mode, patience, minDelta };
  }

  /** Whether patience has run out. */
  get stopped(): boolean {
    return this.#s.stopped;
  }

  /** Where it stands: the best epoch and score; null before the first epoch. */
  summary(): EarlyStoppingSummary | null {
    const { best, bestEpoch, stopped } = this.#s;
    if (best === null) return null;
    return { metric: this.settings.metric, mode: this.settings.mode, bestEpoch, best, stopped };
  }

  /**
   * Takes epoch `epoch`'s score: when it beats the best by more than minDelta (a NaN never does),
   * it becomes the best and the model's weights are copied; otherwise one more epoch without
   * improvement is counted, and at `patience` of them training should stop.
   *
   * @example
   * if (stopper.update(epoch, valAccuracy, model).stop) trainer.requestStop();
   */
  update(epoch: number, value: number, model: AnyModule): EarlyStoppingRecord {
    const { mode, minDelta, patience, metric } = this.settings;
    const s = this.#s;
    const improved =
      !Number.isNaN(value) &&
      (s.best === null || (mode === 'max' ? value > s.best + minDelta : value < s.best - minDelta));
    if (improved) {
      s.best = value;
      s.bestEpoch = epoch;
      s.wait = 0;
      s.weights = snapshot(model);
    } else {
      s.wait++;
    }
    s.stopped = s.wait >= patience;
    return {
      metric,
      value,
      best: s.best ?? value,
      bestEpoch: s.bestEpoch,
      wait: s.wait,
      improved,
      stop: s.stopped,
    };
  }

  /**
   * Copies the best epoch's weights back into the model (in place, bit for bit); false when no
   * epoch has improved yet (nothing kept).
   *
   * @example
   * stopper.restore(model);
   */
  restore(model: AnyModule): boolean {
    if (this.#s.weights === null) return false;
    model.loadStateDict(this.#s.weights, { strict: true });
    return true;
  }

  stateDict(): unknown {
    const { best, bestEpoch, wait, stopped, weights } = this.#s;
    return { best, bestEpoch, wait, stopped, weights };
  }

  loadStateDict(state: unknown): void {
    const s = state as Partial<State> | null;
    const ok =
      typeof s === 'object' &&
      s !== null &&
      (s.best === null || typeof s.best === 'number') &&
      Number.isInteger(s.bestEpoch) &&
      Number.isInteger(s.wait) &&
      typeof s.stopped === 'boolean' &&
      (s.weights === null ||
        (typeof s.weights === 'object' && Object.values(s.weights ?? {}).every((t) => t instanceof Tensor)));
    if (!ok) throw new ValueError('EarlyStopping.loadStateDict', 'not an early-stopping state');
    this.#s = {
      best: s.best!,
      bestEpoch: s.bestEpoch!,
      wait: s.wait!,
      stopped: s.stopped!,
      weights: s.weights === null || s.weights === undefined ? null : { ...s.weights },
    };
  }
}
