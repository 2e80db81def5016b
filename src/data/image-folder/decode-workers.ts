/**
 * A small pool of decoding worker threads (decode-worker.ts), shared by every decode of the
 * process: started on the first large decode, kept for the next one (a study decodes many times),
 * and never holding the process open while idle. sharp and resvg are loaded by the main thread
 * before the first worker starts, so their shared libraries stay loaded for the process's life
 * (sharp's advice for worker threads on glibc). Each worker runs the main thread's own
 * `decodeImage`, so the pixels are the same, byte for byte.
 *
 * How many workers: `POLYTASK_DECODE_WORKERS` when set (0 decodes on the main thread), else none
 * for fewer than {@link MIN_FILES_FOR_WORKERS} files (starting a worker costs more than it saves),
 * else one per core, at most {@link MAX_DECODE_WORKERS}.
 *
 * @example
 * const workers = decodeWorkerCount(files.length); // 2 on a 2-core machine for a large folder
 * const reply = await decodeOnWorker(0, 'cat.png', spec); // { id, pixels } | { id, formatError } | { id, fatal }
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ValueError } from '../../core/errors.js';
import type { ImageSpec } from './decode.js';
import { oneLine } from './decode.js';
import type { DecodeReply, DecodeRequest } from './decode-worker.js';

/** Fewer files than this decode on the main thread (a `predict` of a few images starts no worker). */
export const MIN_FILES_FOR_WORKERS = 32;

/** The most decoding workers started by default (each holds its own copy of sharp and a V8 heap). */
export const MAX_DECODE_WORKERS = 8;

/** The most a user may ask for through POLYTASK_DECODE_WORKERS. */
const MAX_ASKED = 64;

/**
 * The number of decoding workers for `files` files (0: decode on the main thread).
 *
 * @example
 * decodeWorkerCount(10);                                        // 0
 * decodeWorkerCount(5000, { POLYTASK_DECODE_WORKERS: '3' });    // 3
 */
export function decodeWorkerCount(files: number, env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.POLYTASK_DECODE_WORKERS;
  if (asked !== undefined && asked !== '') {
    const n = Number(asked);
    if (!/^\d+$/.test(asked.trim()) || n > MAX_ASKED)
      throw new ValueError(
        'POLYTASK_DECODE_WORKERS',
        `expected a whole number of decoding worker threads from 0 to ${MAX_ASKED}, got ${JSON.stringify(asked)}`,
      );
    return Math.min(n, files);
  }
  if (files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.min(MAX_DECODE_WORKERS, os.availableParallelism());
}

/** A started worker and the requests it has not answered yet. */
interface Slot {
  worker: Worker;
  pending: Map<number, (reply: DecodeReply) => void>;
}

const slots: Slot[] = [];
let nextId = 0;
let librariesLoaded: Promise<unknown> | undefined;

/** Answers every request a worker left unanswered with `fatal`, and forgets the worker. */
function retire(slot: Slot, why: string): void {
  const at = slots.indexOf(slot);
  if (at >= 0) slots.splice(at, 1);
  for (const [id, answer] of slot.pending) answer({ id, fatal: why });
  slot.pending.clear();
}

function start(): Slot {
  const worker = new Worker(new URL('./decode-worker.js', import.meta.url));
  const slot: Slot = { worker, pending: new Map() };
  worker.on('message', (reply: DecodeReply) => {
    const answer = slot.pending.get(reply.id);
    slot.pending.delete(reply.id);
    if (slot.pending.size === 0) worker.unref();
    answer?.(reply);
  });
  worker.on('error', (err) => retire(slot, `a decoding worker failed (${oneLine(err)})`));
  worker.on('exit', (code) => retire(slot, `a decoding worker stopped (exit code ${code})`));
  worker.unref();
  return slot;
}

/**
 * Makes sure `count` workers are running (loading sharp and resvg on the main thread first).
 *
 * @example
 * await startDecodeWorkers(2);
 */
export async function startDecodeWorkers(count: number): Promise<void> {
  await (librariesLoaded ??= Promise.all([import('sharp'), import('@resvg/resvg-js')]));
  while (slots.length < count) slots.push(start());
}

/**
 * Decodes one file on worker `lane` (modulo the workers running; call startDecodeWorkers first).
 *
 * @example
 * const reply = await decodeOnWorker(3, 'photos/cat/1.jpg', spec);
 * if ('pixels' in reply) use(reply.pixels);
 */
export function decodeOnWorker(lane: number, file: string, spec: ImageSpec): Promise<DecodeReply> {
  const slot = slots[lane % slots.length];
  const id = nextId++;
  if (slot === undefined) return Promise.resolve({ id, fatal: 'no decoding worker is running' });
  return new Promise((resolve) => {
    slot.pending.set(id, resolve);
    slot.worker.ref();
    slot.worker.postMessage({ id, file, spec } satisfies DecodeRequest);
  });
}

/**
 * The workers running now (for tests and the bench).
 *
 * @example
 * runningDecodeWorkers(); // 2
 */
export const runningDecodeWorkers = (): number => slots.length;
