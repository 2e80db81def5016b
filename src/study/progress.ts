/**
 * What every study reports while it runs, and what every study's run takes besides its config:
 * one progress shape the CLI draws as is (a study adds its own fields through `Detail`), and one
 * options shape (sub-run records, abort signal, executor).
 *
 * @example
 * const onProgress = (p: StudyProgress): void => bar.update(p.done ?? 0, { tasks: p.run });
 * await runMtlStudy(config, onProgress, { subRuns: store, signal } satisfies StudyRunOptions);
 */
import type { Executor } from './executor.js';
import type { SubRunStore } from './sub-runs.js';

/** The fields every study's progress carries, as the CLI draws them. */
export interface StudyProgressFields {
  /** One line describing the current step, shown as is. */
  message: string;
  /** The sub-run under way: 'single:left', 'pcgrad', 'full 5/class', 'endToEnd n=100 seed 1'. */
  run?: string;
  /** 1-based index of the sub-run and the number of sub-runs. */
  runIndex?: number;
  runs?: number;
  /** Sub-runs finished (default: those before runIndex). */
  done?: number;
  /** Training progress inside the sub-run. */
  step?: number;
  steps?: number | null;
  epoch?: number;
  epochs?: number;
  loss?: number;
  /** Each task's loss, when the study reports it. */
  losses?: Record<string, number>;
  etaSeconds?: number | null;
}

/**
 * A study's progress: the common fields plus the study's own (`Detail`), e.g. the multi-task
 * study's phase and seed, or the end-to-end study's approach and test error.
 *
 * @example
 * type E2eProgress = StudyProgress<{ approach: Approach; error: number }>;
 */
export type StudyProgress<Detail extends object = object> = StudyProgressFields & Detail;

/**
 * What a study's run takes besides its config and progress callback. With `subRuns`, each
 * finished sub-run is recorded there and those already recorded are taken instead of trained
 * again (resume); an abort of `signal` stops the study after the current training step, rejecting
 * with a StoppedError; `executor` trains the pending sub-runs (default: in this process).
 *
 * @example
 * const options: StudyRunOptions = { subRuns: FileSubRunStore.open(dir, { config }), signal };
 */
export interface StudyRunOptions {
  subRuns?: SubRunStore | undefined;
  signal?: AbortSignal | undefined;
  executor?: Executor | undefined;
}
