/**
 * Running a study inside a run: progress drawn as two bars (the study's runs, and the steps of the
 * current one with its loss and ETA) or noted one line per run off a terminal; the losses logged
 * to the run's metrics.jsonl; the result saved as `results-<study>.json`.
 *
 * Resume: each sub-run of the study (a seed of a method, a budget of a strategy, the transfer
 * study's pre-training) is recorded as it finishes in `subruns/<study>/` of the run directory, one
 * atomically written file each, guarded by a hash of the resolved config and the backend's name
 * (see src/study/sub-runs.ts). Ctrl-C stops the study after its current training step, in every
 * study and every kind of sub-run (pre-training, fine-tuning, multi-task and end-to-end runs): the
 * caller's Ctrl-C handler aborts the signal handed to the study, its trainer stops after the step
 * under way, the StoppedError it rejects with unwinds the study without recording that sub-run,
 * and the run is marked stopped. What the records hold is then all a resume needs: run again over
 * them, the study takes the recorded sub-runs as they are and trains the others, the one Ctrl-C
 * cut short from its start (the study modules keep no trainer checkpoints inside a sub-run), and
 * ends with the uninterrupted result.
 *
 * @example
 * const subRuns = openSubRuns(run.dir, 'mtl', config, out);
 * const { result } = await whileInterruptible(out, (signal) => mtlStudy.use((d) => runStudy(d, config, { run, out, bars, subRuns, signal })));
 */
import { join } from 'node:path';
import { resultsFile, writeRunJson } from '../../report/index.js';
import { FileSubRunStore, type Executor } from '../../study/index.js';
import { StoppedError } from '../../train/index.js';
import { CliError, EXIT } from '../errors.js';
import type { Output } from '../output.js';
import type { Bar, ProgressBars } from '../progress.js';
import { taskLosses } from '../progress.js';
import type { RunSession } from '../run-store.js';
import type { StudyDefinition, StudyKey, StudyProgress } from './types.js';

/** Step records logged per training run of a study, at most. */
const MAX_STEP_RECORDS = 200;

export interface StudyRunContext {
  run: RunSession;
  out: Output;
  bars: ProgressBars;
  /** Where finished sub-runs are recorded; without it the study records nothing. */
  subRuns?: FileSubRunStore;
  /**
   * Aborted by the caller's Ctrl-C handler (whileInterruptible): the study stops after its current
   * step. The handler is the caller's, so that the main job keeps one across its studies.
   */
  signal: AbortSignal;
  /** Where the sub-runs are trained (src/executors/); default: here, one after another. */
  executor?: Executor | undefined;
}

/**
 * The sub-run records of study `key` in run directory `dir`, for `config` (and the digest of its
 * data fingerprint, `data`); an unreadable record is noted (its sub-run runs again), a record of
 * another config, backend or data is an error naming it.
 *
 * @example
 * const subRuns = openSubRuns(run.dir, 'e2e', config, out);
 */
export function openSubRuns(dir: string, key: StudyKey, config: unknown, out: Output, data?: string): FileSubRunStore {
  return FileSubRunStore.open(join(dir, 'subruns', key), {
    config: { study: key, config },
    onWarning: (m) => out.note(`polytask: ${m}`),
    ...(data === undefined ? {} : { data }),
  });
}

/** What runStudy throws for a study that Ctrl-C stopped (its StoppedError): exit status 130. */
export class StudyStopped extends CliError {
  constructor(study: string) {
    super(`${study} study stopped by Ctrl-C`, EXIT.interrupted);
  }
}

/**
 * Runs `study` on its validated `config`, reporting progress and logging metrics into the run,
 * and saves the result in the run directory. Returns the result and the seconds it took; a study
 * stopped by `ctx.signal` rejects with StudyStopped.
 *
 * @example
 * const { result, seconds } = await runStudy(study, config, ctx);
 */
export async function runStudy<Config, Result>(
  study: StudyDefinition<Config, Result>,
  config: Config,
  ctx: StudyRunContext,
): Promise<{ result: Result; seconds: number }> {
  const started = Date.now();
  // set inside the progress callback: an object, so that the end of the study sees what it set
  const drawn: { runs: Bar | null; steps: Bar | null } = { runs: null, steps: null };
  let current = '';
  let runs = 1;
  const onProgress = (p: StudyProgress): void => {
    runs = p.runs ?? runs;
    if (p.run !== undefined && p.run !== current) {
      current = p.run;
      // where the study stands, for the record of a failure
      ctx.run.at.subRun = current;
      delete ctx.run.at.step;
      if (ctx.bars.enabled) {
        drawn.runs ??= ctx.bars.bar(`${study.key} runs`, p.runs ?? 1);
        drawn.steps ??= ctx.bars.bar(`${study.key} steps`, 1);
        drawn.runs.update(p.done ?? (p.runIndex ?? 1) - 1, { tasks: p.run });
      } else {
        ctx.out.note(`${study.key}: ${p.message}`);
      }
    }
    if (p.step === undefined) return;
    ctx.run.at.step = p.step;
    const steps = p.steps ?? null;
    drawn.steps?.setTotal(steps ?? p.step);
    drawn.steps?.update(p.step, {
      epoch: p.epoch === undefined || p.epochs === undefined ? '' : `${p.epoch + 1}/${p.epochs}`,
      ...(p.loss === undefined ? {} : { loss: p.loss }),
      tasks: p.losses === undefined ? current : taskLosses(p.losses),
      ...(p.etaSeconds === null || p.etaSeconds === undefined ? {} : { eta: p.etaSeconds }),
    });
    const every = steps === null ? 10 : Math.max(1, Math.ceil(steps / MAX_STEP_RECORDS));
    if (p.step % every === 0 || p.step === steps) {
      ctx.run.metrics.append({
        type: 'step',
        section: `${study.key}/${current}`,
        step: p.step,
        epoch: p.epoch ?? 0,
        ...(p.loss === undefined ? {} : { loss: p.loss }),
        losses: p.losses ?? (p.loss === undefined ? {} : { loss: p.loss }),
      });
    }
  };
  try {
    const result = await study.run(config, onProgress, {
      subRuns: ctx.subRuns,
      signal: ctx.signal,
      executor: ctx.executor,
    });
    drawn.runs?.update(runs, { tasks: 'done' });
    writeRunJson(ctx.run.dir, resultsFile(study.key), result);
    return { result, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    throw err instanceof StoppedError ? new StudyStopped(study.key) : err;
  } finally {
    ctx.bars.stop();
  }
}
