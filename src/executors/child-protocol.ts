/**
 * The messages between a process pool (process-pool.ts) and its child processes (child.ts), over
 * Node's IPC channel: the parent sends a job or a stop; the child says it is ready, reports the
 * training's activity, and ends each job with its result or its failure.
 *
 * @example
 * child.send({ type: 'job', job } satisfies ToChild);
 */
import type { SubRunActivity } from '../study/index.js';
import type { JsonValue } from '../train/index.js';
import type { SubRunJob, SubRunJobResult } from './job.js';
import { recordFrom } from '../core/safe-keys.js';

/** Parent → child. */
export type ToChild = { type: 'job'; job: SubRunJob } | { type: 'stop' };

/** Child → parent. */
export type FromChild =
  | { type: 'ready'; worker: string }
  | { type: 'activity'; activity: SubRunActivity }
  | { type: 'done'; outcome: SubRunJobResult }
  /** `refused`: the job cannot run on this worker (not worth retrying); `stopped`: a stop ended it. */
  | { type: 'failed'; message: string; refused: boolean; stopped: boolean };

/**
 * The message `m` as a child's, or null when it is none.
 *
 * @example
 * child.on('message', (m) => { const msg = fromChild(m); if (msg?.type === 'done') resolve(msg.outcome); });
 */
export function fromChild(m: unknown): FromChild | null {
  const type = field(m, 'type');
  if (type === 'ready') {
    const worker = field(m, 'worker');
    return typeof worker === 'string' ? { type, worker } : null;
  }
  if (type === 'activity') return { type, activity: activityOf(field(m, 'activity')) };
  if (type === 'done') {
    const outcome = field(m, 'outcome');
    const worker = field(outcome, 'worker');
    const seconds = field(outcome, 'seconds');
    if (typeof worker !== 'string' || typeof seconds !== 'number') return null;
    return { type, outcome: { result: jsonOf(field(outcome, 'result')), worker, seconds } };
  }
  if (type === 'failed') {
    const message = field(m, 'message');
    const refused = field(m, 'refused');
    const stopped = field(m, 'stopped');
    if (typeof message !== 'string' || typeof refused !== 'boolean' || typeof stopped !== 'boolean') return null;
    return { type, message, refused, stopped };
  }
  return null;
}

/**
 * The own field `key` of `v` when `v` is an object; undefined otherwise.
 *
 * @example
 * field({ a: 1 }, 'a'); // 1
 */
export function field(v: unknown, key: string): unknown {
  if (typeof v !== 'object' || v === null || !Object.hasOwn(v, key)) return undefined;
  const value: unknown = Reflect.get(v, key);
  return value;
}

/**
 * The fields of an activity report that are what they should be (the others dropped).
 *
 * @example
 * activityOf({ epoch: 0, epochs: 2, loss: 'x' }); // { epoch: 0, epochs: 2 }
 */
export function activityOf(v: unknown): SubRunActivity {
  const out: SubRunActivity = {};
  const get = (k: string): unknown => field(v, k);
  const epoch = get('epoch');
  const epochs = get('epochs');
  const step = get('step');
  const steps = get('steps');
  const loss = get('loss');
  if (typeof epoch === 'number') out.epoch = epoch;
  if (typeof epochs === 'number') out.epochs = epochs;
  if (typeof step === 'number') out.step = step;
  if (typeof steps === 'number' || steps === null) out.steps = steps;
  if (typeof loss === 'number') out.loss = loss;
  return out;
}

/**
 * A received value as JSON data: what packState wrote stays as it is, anything else becomes null.
 *
 * @example
 * unpackState(jsonOf(message.result), {});
 */
export function jsonOf(v: unknown): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(jsonOf);
  if (typeof v === 'object') return recordFrom(Object.entries(v).map(([k, x]) => [k, jsonOf(x)]));
  return null;
}
