/**
 * Ctrl-C (SIGINT) and SIGTERM: the first one asks the work to stop after its current step (the trainer then writes a
 * checkpoint, or a study leaves its finished sub-runs recorded, and the run can be resumed); a
 * second one exits at once with status 130.
 *
 * @example
 * const release = onInterrupt(() => trainer.requestStop(), out);
 * try { await trainer.fit(); } finally { release(); }
 * await whileInterruptible(out, (signal) => runStudy(study, config, { ...ctx, signal }));
 */
import { EXIT } from './errors.js';
import type { Output } from './output.js';

/**
 * Installs the SIGINT and SIGTERM handler; returns the function that removes it.
 *
 * @example
 * const release = onInterrupt(() => controller.abort(), out);
 */
export function onInterrupt(stop: () => void, out: Output): () => void {
  let requested = false;
  const handler = (): void => {
    if (requested) {
      out.stderr.write('\npolytask: interrupted again, exiting without waiting\n');
      process.exit(EXIT.interrupted);
    }
    requested = true;
    // a note even when quiet: the user pressed a key and deserves to know it was heard
    out.stderr.write('\npolytask: stopping after the current step (Ctrl-C again to exit at once)\n');
    stop();
  };
  // SIGTERM (kill, a container stopping, a job scheduler) stops the same way as Ctrl-C
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Runs `work` with an AbortSignal that the first Ctrl-C aborts (a second exits at once), the
 * handler installed only while `work` runs: the standard way to hand Ctrl-C to code (the studies)
 * that threads it down to its training loops.
 *
 * @example
 * const { result } = await whileInterruptible(out, (signal) => runStudy(study, config, { run, out, bars, signal }));
 */
export async function whileInterruptible<T>(out: Output, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const release = onInterrupt(() => controller.abort(), out);
  try {
    return await work(controller.signal);
  } finally {
    release();
  }
}
