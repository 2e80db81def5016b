/**
 * What the CLI needs to know of a study: its config schema (owned by the study's module), the flags
 * that stand for its keys, the settings the main job runs it at, and how to run it with progress.
 * One file per study adapts the study's module to this shape.
 *
 * @example
 * const study: StudyDefinition = { key: 'mtl', title: 'Multi-task learning', schema, flags, presets, run };
 */
import type { z } from 'zod';
import type { SubRunStore } from '../../train/index.js';

/** A study's progress, as the CLI draws it. */
export interface StudyProgress {
  /** One line describing the current step. */
  message: string;
  /** The training run inside the study: 'single:left', 'pcgrad', 'full@100'. */
  run?: string;
  /** 1-based index of the run and the number of runs. */
  runIndex?: number;
  runs?: number;
  /** Runs finished (default: those before runIndex). */
  done?: number;
  step?: number;
  steps?: number | null;
  epoch?: number;
  epochs?: number;
  loss?: number;
  /** Each task's loss, when the study reports it. */
  losses?: Record<string, number>;
  etaSeconds?: number | null;
}

export type StudyKey = 'transfer' | 'mtl' | 'e2e';

export interface StudyDefinition {
  key: StudyKey;
  title: string;
  /** The study's own config schema: strict, defaults filled in. */
  schema: z.ZodType;
  /** Option name → config path, for the study's flags (besides --set). */
  flags: Record<string, string>;
  /** Raw configs the main job runs the study with: small, and very small for --quick. */
  presets: { main: Record<string, unknown>; quick: Record<string, unknown> };
  /**
   * Runs the study on a validated config; never prints. With `subRuns`, each finished sub-run is
   * recorded there, and those already recorded are taken instead of trained again (resume). An
   * abort of `signal` stops it after the current training step, rejecting with a StoppedError.
   */
  run(config: unknown, onProgress: (p: StudyProgress) => void, options?: StudyRunOptions): Promise<unknown>;
}

/** What a study's run takes besides its config and progress callback. */
export interface StudyRunOptions {
  subRuns?: SubRunStore;
  signal?: AbortSignal;
}
