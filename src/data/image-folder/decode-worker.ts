/**
 * The body of one decoding worker thread (started by decode-workers.ts): it decodes the files it
 * is sent with the same `decodeImage` the main thread uses, so a worker's pixels are the main
 * thread's, byte for byte, and posts each result back (the pixels' buffer transferred, not
 * copied). A file that does not decode comes back as its FormatError's message; any other error
 * comes back as `fatal`, and the main thread stops the decode with it.
 *
 * @example
 * // main thread (decode-workers.ts):
 * worker.postMessage({ id: 7, file: 'cat.png', spec });
 * worker.on('message', (m: DecodeReply) => ('pixels' in m ? store(m.id, m.pixels) : fail(m)));
 */
import { parentPort } from 'node:worker_threads';
import { FormatError } from '../../core/errors.js';
import { decodeImage, type ImageSpec } from './decode.js';

/** One file to decode. */
export interface DecodeRequest {
  id: number;
  file: string;
  spec: ImageSpec;
}

/** The answer to a request: its pixels, its FormatError's message, or an error that is not the file's fault. */
export type DecodeReply =
  { id: number; pixels: Uint8Array } | { id: number; formatError: string } | { id: number; fatal: string };

const port = parentPort;
if (port !== null) {
  port.on('message', (req: DecodeRequest) => {
    decodeImage(req.file, req.spec).then(
      (pixels) => port.postMessage({ id: req.id, pixels } satisfies DecodeReply, [pixels.buffer as ArrayBuffer]),
      (err: unknown) =>
        port.postMessage(
          (err instanceof FormatError
            ? { id: req.id, formatError: err.message }
            : { id: req.id, fatal: err instanceof Error ? err.message : String(err) }) satisfies DecodeReply,
        ),
    );
  });
}
