/**
 * What the CLI needs to know of a study: its config schema (owned by the study's module), the flags
 * that stand for its keys, the settings the main job runs it at, how to run it with progress, and
 * how its result reaches the report. One file per study adapts the study's module to this shape,
 * with the study's own config and result types; `defineStudy` binds them, so the CLI keeps the
 * three studies in one list and still runs each with its own types.
 *
 * @example
 * export const mtlStudy = defineStudy({ key: 'mtl', title: 'Multi-task learning', schema, flags, presets, run: runMtlStudy, report: (r) => ({ mtl: r }), verdict: mtlVerdict });
 * mtlStudy.use((d) => runStudy(d, validateConfig(d.schema, raw), ctx));
 */
import type { z } from 'zod';
import type { DataInputs } from '../../data/fingerprint.js';
import type { ReportData, StudyKey, Verdict } from '../../report/index.js';
import type { StudyProgress, StudyRunOptions } from '../../study/index.js';
import type { Override } from '../config/overrides.js';

export type { StudyKey, StudyProgress, StudyRunOptions };

/** A study as the CLI runs it, with its config type and its result type. */
export interface StudyDefinition<Config, Result> {
  key: StudyKey;
  title: string;
  /** The study's own config schema: strict, defaults filled in. */
  schema: z.ZodType<Config>;
  /** Option name → config path, for the study's flags (besides --set). */
  flags: Record<string, string>;
  /** Raw configs the main job runs the study with: small, and very small for --quick. */
  presets: { main: Record<string, unknown>; quick: Record<string, unknown> };
  /** Options of this study beyond `flags`, turned into config keys by `expand`. */
  options?: readonly StudyOption[];
  /** The overrides `options` make (`--source RUN` → `source.checkpoint`, ...), read before the config is validated. */
  expand?: (opts: Readonly<Record<string, unknown>>, root: string) => Override[];
  /**
   * Checks what the config refers to (its data files, task description, checkpoint) without
   * training: cheap, and run before the study's run directory is created, so that a refused
   * config or missing file leaves no run behind. Throws the error naming what is wrong. Optional:
   * a study without one goes straight to `run`; `dataInputs` below, which also runs before the
   * run directory exists, loads (and so checks) every study's data, once (the run takes that load).
   */
  check?: (config: Config) => void | Promise<void>;
  /**
   * Runs the study on a validated config; never prints. With `subRuns`, each finished sub-run is
   * recorded there, and those already recorded are taken instead of trained again (resume). An
   * abort of `signal` stops it after the current training step, rejecting with a StoppedError.
   */
  run: (config: Config, onProgress: (p: StudyProgress) => void, options?: StudyRunOptions) => Promise<Result>;
  /** The result as the report reads it, under the study's key. */
  report: (result: Result) => ReportData;
  /** The result's verdict, as the terminal and the report show it. */
  verdict: (result: Result) => Verdict;
  /**
   * What the study reads, for the data fingerprint (src/data/fingerprint.ts): called before the
   * run directory exists, so it also loads and checks whatever the config names (the e2e study's
   * own case). Absent: nothing to fingerprint.
   */
  dataInputs?: (config: Config) => Promise<DataInputs>;
}

/** A study's own option: its commander flags text (`--source <ref>`) and its help. */
export interface StudyOption {
  flags: string;
  description: string;
}

/** A study with its types bound: what the CLI lists. `use` hands the typed definition to `f`. */
export interface Study {
  readonly key: StudyKey;
  readonly title: string;
  readonly schema: z.ZodType;
  readonly flags: Record<string, string>;
  readonly presets: { main: Record<string, unknown>; quick: Record<string, unknown> };
  readonly options: readonly StudyOption[];
  use<T>(f: <Config, Result>(definition: StudyDefinition<Config, Result>) => T): T;
}

/**
 * A study for the CLI's list, from its typed definition.
 *
 * @example
 * const study = defineStudy(definition);
 * study.use((d) => d.title);
 */
export function defineStudy<Config, Result>(definition: StudyDefinition<Config, Result>): Study {
  const { key, title, schema, flags, presets } = definition;
  return { key, title, schema, flags, presets, options: definition.options ?? [], use: (f) => f(definition) };
}
