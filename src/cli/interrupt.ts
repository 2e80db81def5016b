/**
 * Ctrl-C: the first one asks the work to stop after its current step (the trainer then writes a
 * checkpoint, and the run can be resumed); a second one exits at once with status 130.
 *
 * @example
 * const release = onInterrupt(() => trainer.requestStop(), out);
 * try { await trainer.fit(); } finally { release(); }
 */
import { EXIT } from './errors.js';
import type { Output } from './output.js';

/**
 * Installs the SIGINT handler; returns the function that removes it.
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
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
  };
}
