/**
 * What the executors that train away from the study's process share: the study run they serve
 * (its run id, study key, resolved config and data fingerprint), the worker events they report
 * (a sub-run taken by a worker, its training progress, a retry), and `close`.
 *
 * @example
 * const study: RemoteStudy = { runId: run.id, study: 'mtl', config: packState(config).json, fingerprint: null, subRuns: null };
 * const executor = new ProcessExecutor({ workers: 2, entry, study, onWorkerEvent: (e) => log(e) });
 * try { await runMtlStudy(config, onProgress, { executor }); } finally { await executor.close(); }
 */
import type { Executor, SubRunActivity } from '../study/index.js';
import type { JsonValue } from '../train/index.js';

/** The study run whose sub-runs an executor trains elsewhere. */
export interface RemoteStudy {
  runId: string;
  study: string;
  config: JsonValue;
  /** The data's fingerprint on the coordinator (SubRunTrainer.fingerprint); null: not checked. */
  fingerprint: string | null;
  /**
   * The absolute path of the study's sub-run store directory (`<run>/subruns/<study>`), where
   * sub-runs leave the models later ones start from; a worker on another machine reaches it
   * through a shared directory at the same path. Null: the study has no store.
   */
  subRuns: string | null;
}

/** What an executor reports of its workers. */
export type WorkerEvent =
  | { kind: 'start'; worker: string; subRun: string }
  | { kind: 'activity'; worker: string; subRun: string; activity: SubRunActivity }
  | { kind: 'retry'; worker: string | null; subRun: string; attempt: number; reason: string }
  | { kind: 'waiting'; reason: string };

/** An executor holding processes or connections until it is closed. */
export interface ClosableExecutor extends Executor {
  readonly name: string;
  close(): Promise<void>;
}
