/**
 * Throughput and ETA of a fit: steps and samples per second over the steps of this run, and the
 * time left at that pace. Wall-clock readings feed reports only, never the training arithmetic,
 * so they cannot disturb determinism.
 *
 * @example
 * const t = new Throughput({ stepsDone: 0, totalSteps: 100, batchesPerEpoch: 10, epochs: 10 });
 * t.record(32, 0.01);
 * t.progress(1).etaSeconds;
 */
import { performance } from 'node:perf_hooks';

/** Where a fit stands, for progress bars and logs. */
export interface Progress {
  /** Optimizer steps completed (skipped ones included). */
  stepsDone: number;
  /** Steps the fit will have taken when it ends (epochs × batches, capped by maxSteps); null when the loader's length is unknown. */
  totalSteps: number | null;
  /** Batches per epoch; null when the loader does not say. */
  batchesPerEpoch: number | null;
  /** Epochs the fit runs to. */
  epochs: number;
  /** Wall time since this fit call began. */
  elapsedSeconds: number;
  /** Steps per second of wall time in this fit call (evaluation and checkpoints included). */
  stepsPerSecond: number;
  /** Samples per second of time spent inside steps. */
  samplesPerSecond: number;
  /** Seconds left at the current pace; null when unknown. */
  etaSeconds: number | null;
}

export class Throughput {
  readonly #start = performance.now();
  readonly #startSteps: number;
  #samples = 0;
  #stepSeconds = 0;

  constructor(
    readonly plan: { stepsDone: number; totalSteps: number | null; batchesPerEpoch: number | null; epochs: number },
  ) {
    this.#startSteps = plan.stepsDone;
  }

  /** Seconds since an earlier `performance.now()` reading. */
  static since(start: number): number {
    return (performance.now() - start) / 1000;
  }

  /** Adds a step of `samples` samples that took `seconds`. */
  record(samples: number, seconds: number): void {
    this.#samples += samples;
    this.#stepSeconds += seconds;
  }

  progress(stepsDone: number): Progress {
    const { totalSteps, batchesPerEpoch, epochs } = this.plan;
    const elapsedSeconds = Throughput.since(this.#start);
    const steps = stepsDone - this.#startSteps;
    const stepsPerSecond = elapsedSeconds > 0 ? steps / elapsedSeconds : 0;
    const samplesPerSecond = this.#stepSeconds > 0 ? this.#samples / this.#stepSeconds : 0;
    const etaSeconds =
      totalSteps === null || stepsPerSecond === 0 ? null : Math.max(0, totalSteps - stepsDone) / stepsPerSecond;
    return {
      stepsDone,
      totalSteps,
      batchesPerEpoch,
      epochs,
      elapsedSeconds,
      stepsPerSecond,
      samplesPerSecond,
      etaSeconds,
    };
  }
}
