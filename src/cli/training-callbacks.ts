/**
 * The Trainer's events, as the CLI reports them: on a terminal a progress bar over the steps of
 * the epoch under way (epoch, step, loss, per-task losses, samples/s, ETA of the whole fit), step
 * and epoch records in the run's metrics.jsonl (steps thinned to a few hundred per run), and one
 * line per epoch (its loss, test scores and validation score), above the bar on a terminal.
 *
 * @example
 * const trainer = new Trainer({ ..., callbacks: trainingCallbacks({ out, bars, log, section: 'train' }) });
 */
import type { MetricsLog } from '../report/index.js';
import type { Callbacks } from '../train/index.js';
import { duration, num } from './format.js';
import type { Output } from './output.js';
import { taskLosses, type Bar, type ProgressBars } from './progress.js';

export interface TrainingCallbackOptions {
  out: Output;
  bars: ProgressBars;
  /** Where step and epoch records go; none: not logged. */
  log?: MetricsLog;
  /** The section name of the records and the bar's label. */
  section: string;
  /** Step records logged per fit, at most (evenly spaced). Default 400. */
  maxStepRecords?: number;
}

/** Every how many steps a record is logged so a fit of `total` steps logs at most `max`. */
const every = (total: number | null, max: number): number =>
  total === null ? 10 : Math.max(1, Math.ceil(total / max));

/** An epoch's evaluation in one short phrase: 'digit accuracy 0.97, macroF1 0.96'. */
function evalPhrase(ev: Record<string, Record<string, number>> | null): string {
  if (ev === null) return '';
  return Object.entries(ev)
    .map(
      ([task, ms]) =>
        `${task} ${Object.entries(ms)
          .map(([m, v]) => `${m} ${num(v, 4)}`)
          .join(', ')}`,
    )
    .join('; ');
}

/**
 * Callbacks that draw, log and note a fit.
 *
 * @example
 * trainingCallbacks({ out, bars, section: 'finetune', log: new MetricsLog(path) });
 */
export function trainingCallbacks(o: TrainingCallbackOptions): Callbacks {
  let bar: Bar | null = null;
  let logEvery = 10;
  let started = Date.now();
  // the bar counts the steps of the epoch under way (all steps when the epoch's length is unknown)
  let perEpoch: number | null = null;
  return {
    onFitStart: (e) => {
      started = Date.now();
      logEvery = every(e.progress.totalSteps, o.maxStepRecords ?? 400);
      perEpoch = e.progress.batchesPerEpoch;
      bar = o.bars.bar(o.section, perEpoch ?? e.progress.totalSteps ?? 0);
      bar.update(perEpoch === null ? e.progress.stepsDone : e.progress.stepsDone % perEpoch, {
        epoch: `${e.epoch + 1}/${e.progress.epochs}`,
      });
      if (e.resumedFrom !== null)
        o.out.note(`${o.section}: resumed at step ${e.progress.stepsDone} from ${e.resumedFrom}`);
    },
    onStepEnd: (e) => {
      const done = e.progress.stepsDone;
      bar?.update(perEpoch === null ? done : e.batchIndex + 1, {
        epoch: `${e.epoch + 1}/${e.progress.epochs}`,
        loss: e.loss,
        tasks: Object.keys(e.losses).length > 1 ? taskLosses(e.losses) : '',
        rate: e.progress.samplesPerSecond,
        ...(e.progress.etaSeconds === null ? {} : { eta: e.progress.etaSeconds }),
      });
      if (o.log !== undefined && (done % logEvery === 0 || done === e.progress.totalSteps)) {
        o.log.append({
          type: 'step',
          section: o.section,
          step: done,
          epoch: e.epoch,
          loss: e.loss,
          losses: Object.keys(e.losses).length > 0 ? e.losses : { loss: e.loss },
          seconds: (Date.now() - started) / 1000,
        });
      }
    },
    onEpochEnd: (e) => {
      o.log?.append({
        type: 'epoch',
        section: o.section,
        step: e.progress.stepsDone,
        epoch: e.epoch,
        loss: e.loss,
        losses: e.losses,
        ...(e.eval === null ? {} : { eval: e.eval }),
        seconds: (Date.now() - started) / 1000,
      });
      // one line per epoch: above the bar on a terminal (which then starts the next epoch), alone elsewhere
      const ev = evalPhrase(e.eval);
      const es = e.earlyStopping;
      const val =
        es === undefined
          ? ''
          : ` | validation ${es.metric} ${num(es.value, 4)}${es.improved ? ' (best)' : ` (best ${num(es.best, 4)} at epoch ${es.bestEpoch + 1})`}`;
      o.bars.log(
        `${o.section}: epoch ${e.epoch + 1}/${e.progress.epochs} loss ${num(e.loss, 4)}${ev === '' ? '' : ` | ${ev}`}${val} | ${duration(e.progress.elapsedSeconds)}`,
      );
    },
  };
}
