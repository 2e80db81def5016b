/**
 * Many image files decoded at once, with a bounded number in flight (so a large folder never
 * holds more than a few encoded files in memory), each row handed to a callback as it arrives.
 * A large decode runs on a pool of worker threads (decode-workers.ts: one per core), so the
 * JavaScript side of each decode (sharp's pipeline set-up, SVG rendering with resvg, the CHW
 * conversion) runs on every core instead of the main thread alone; a small one (a `predict` of a
 * few files) runs on the main thread. Both give the same pixels, byte for byte. Every file is
 * tried: when some do not decode, the error names the first one (in the order given) and counts
 * the others, before anything trains; any other error stops the decode once the decodes in
 * flight have settled.
 *
 * @example
 * await decodeMany(files, spec, (i, px) => out.set(px, i * px.length));
 */
import os from 'node:os';
import { FormatError } from '../../core/errors.js';
import { decodeImage, type ImageSpec } from './decode.js';
import { decodeOnWorker, decodeWorkerCount, startDecodeWorkers } from './decode-workers.js';

/** Decodes in flight at once on the main thread: two per core (sharp runs each on libuv's pool), at least 4. */
export const DECODE_CONCURRENCY = Math.max(4, 2 * os.availableParallelism());

/** Decodes in flight on each worker thread: one decoding while the next file is read. */
const PER_WORKER = 2;

/** How a decode is spread. */
export interface DecodeManyOptions {
  /** Worker threads (0: the main thread); by default decodeWorkerCount(files.length). */
  workers?: number;
  /** Decodes in flight on the main thread when `workers` is 0; default DECODE_CONCURRENCY. */
  concurrency?: number;
}

/**
 * Decodes `files` to the spec, calling `onRow(i, pixels)` for each (in completion order).
 *
 * @example
 * await decodeMany(['a.png', 'b.jpg'], { height: 8, width: 8, resize: 'crop', channels: 1 }, store);
 * await decodeMany(files, spec, store, { workers: 0 }); // on the main thread only
 */
export async function decodeMany(
  files: readonly string[],
  spec: ImageSpec,
  onRow: (i: number, pixels: Uint8Array) => void,
  options: DecodeManyOptions = {},
): Promise<void> {
  const workers = Math.min(options.workers ?? decodeWorkerCount(files.length), files.length);
  if (workers > 0) await startDecodeWorkers(workers);
  const decode = async (lane: number, file: string): Promise<Uint8Array> => {
    if (workers === 0) return decodeImage(file, spec);
    const reply = await decodeOnWorker(lane, file, spec);
    if ('pixels' in reply) return reply.pixels;
    if ('formatError' in reply) throw new DecodeFailure(reply.formatError);
    throw new Error(reply.fatal);
  };
  const failures: { i: number; message: string }[] = [];
  let stopped: { err: unknown } | undefined;
  let next = 0;
  const lane = async (k: number): Promise<void> => {
    while (next < files.length && stopped === undefined) {
      const i = next++;
      try {
        onRow(i, await decode(k, files[i]!));
      } catch (err) {
        if (err instanceof FormatError || err instanceof DecodeFailure) failures.push({ i, message: err.message });
        else stopped ??= { err };
      }
    }
  };
  const lanes = workers > 0 ? workers * PER_WORKER : (options.concurrency ?? DECODE_CONCURRENCY);
  await Promise.all(Array.from({ length: Math.min(lanes, files.length) }, (_, k) => lane(k)));
  if (stopped !== undefined) throw stopped.err;
  if (failures.length === 0) return;
  failures.sort((a, b) => a.i - b.i);
  const file = files[failures[0]!.i]!;
  const first = failures[0]!.message;
  const detail = first.startsWith(`${file}: `) ? first.slice(file.length + 2) : first;
  const others = failures.length - 1;
  throw new FormatError(
    file,
    `${detail}${others === 0 ? '' : others === 1 ? '; and 1 other file does not decode either' : `; and ${others} other files do not decode either`}`,
  );
}

/** A worker's FormatError, carried as its message. */
class DecodeFailure extends Error {}
