/**
 * What travels between a coordinator and its workers: a job names the study run, the study, the
 * resolved config (plain JSON), the sub-run id, and what the result depends on besides them: the
 * code version, the backend and the fingerprint of the data. What comes back is the sub-run's
 * record (packed so that NaN and ±Infinity survive JSON), who trained it and how long it took.
 * The coordinator, not the worker, writes the record.
 *
 * @example
 * const job = subRunJob({ runId, study: 'mtl', config, subRun: 'ew-seed0', fingerprint: null, subRuns: null });
 * isSubRunJob(JSON.parse(JSON.stringify(job))); // true
 */
import { getBackend } from '../backend/registry.js';
import { hasFields } from '../study/index.js';
import type { JsonValue } from '../train/index.js';
import { codeVersion } from './code-version.js';

/** One sub-run to train. */
export interface SubRunJob {
  /** The study run the sub-run belongs to (its run id). */
  runId: string;
  /** The study's key ('mtl'). */
  study: string;
  /** The study's resolved config. */
  config: JsonValue;
  /** The sub-run's id in the study's grid. */
  subRun: string;
  /** The coordinator's code version (code-version.ts): a worker of another version refuses the job. */
  codeVersion: string;
  /** The backend the coordinator runs on: a worker on another refuses the job. */
  backend: string;
  /** A hash of the study's data on the coordinator; null: not checked (same machine). */
  fingerprint: string | null;
  /** The study's sub-run store directory (RemoteStudy.subRuns); null: none. */
  subRuns: string | null;
}

/** What a worker sends back for a job. */
export interface SubRunJobResult {
  /** The sub-run's record, packed (packState's JSON). */
  result: JsonValue;
  /** The process that trained it: 'host:pid'. */
  worker: string;
  seconds: number;
}

/**
 * A job for sub-run `subRun`, stamped with this process's code version and backend.
 *
 * @example
 * subRunJob({ runId: '20260101-000000-study-mtl-ab12cd', study: 'mtl', config, subRun: 'ew-seed0', fingerprint: null, subRuns: null });
 */
export function subRunJob(fields: Omit<SubRunJob, 'codeVersion' | 'backend'>): SubRunJob {
  return { ...fields, codeVersion: codeVersion(), backend: getBackend().name };
}

/**
 * Whether `v` has the fields of a SubRunJob (as received from a queue).
 *
 * @example
 * if (!isSubRunJob(job.data)) throw new Error('not a polytask job');
 */
export function isSubRunJob(v: unknown): v is SubRunJob {
  return (
    hasFields(v, {
      runId: 'string',
      study: 'string',
      subRun: 'string',
      codeVersion: 'string',
      backend: 'string',
      fingerprint: 'string-or-null',
      subRuns: 'string-or-null',
    }) && 'config' in v
  );
}

/**
 * Whether `v` has the fields of a SubRunJobResult.
 *
 * @example
 * if (isSubRunJobResult(job.returnvalue)) store.put(id, unpackState(job.returnvalue.result, {}));
 */
export function isSubRunJobResult(v: unknown): v is SubRunJobResult {
  return hasFields(v, { worker: 'string', seconds: 'number' }) && 'result' in v;
}
