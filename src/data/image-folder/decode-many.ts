/**
 * Many image files decoded at once on sharp's thread pool, with a bounded number in flight (so a
 * large folder never holds more than a few encoded files in memory), each row handed to a
 * callback as it arrives. Every file is tried: when some do not decode, the error names the first
 * one (in the order given) and counts the others, before anything trains.
 *
 * @example
 * await decodeMany(files, spec, (i, px) => out.set(px, i * px.length));
 */
import os from 'node:os';
import { FormatError } from '../../core/errors.js';
import { decodeImage, type ImageSpec } from './decode.js';

/** Decodes in flight at once: two per core (sharp runs each on libuv's pool), at least 4. */
export const DECODE_CONCURRENCY = Math.max(4, 2 * os.availableParallelism());

/**
 * Decodes `files` to the spec, calling `onRow(i, pixels)` for each (in completion order).
 *
 * @example
 * await decodeMany(['a.png', 'b.jpg'], { height: 8, width: 8, resize: 'crop', channels: 1 }, store);
 */
export async function decodeMany(
  files: readonly string[],
  spec: ImageSpec,
  onRow: (i: number, pixels: Uint8Array) => void,
  concurrency = DECODE_CONCURRENCY,
): Promise<void> {
  const failures: { i: number; err: unknown }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      try {
        onRow(i, await decodeImage(files[i]!, spec));
      } catch (err) {
        if (!(err instanceof FormatError)) throw err;
        failures.push({ i, err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  if (failures.length === 0) return;
  failures.sort((a, b) => a.i - b.i);
  const file = files[failures[0]!.i]!;
  const first = (failures[0]!.err as Error).message;
  const detail = first.startsWith(`${file}: `) ? first.slice(file.length + 2) : first;
  const others = failures.length - 1;
  throw new FormatError(
    file,
    `${detail}${others === 0 ? '' : others === 1 ? '; and 1 other file does not decode either' : `; and ${others} other files do not decode either`}`,
  );
}
