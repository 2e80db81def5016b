/**
 * Fitting under a standard AbortSignal, for code that trains as one part of a larger job (a
 * study's sub-run) and must either finish the training or give it up as a whole: an abort asks the
 * trainer to stop after its current step (requestStop), and a fit stopped so rejects with a
 * StoppedError rather than resolving with a partial result that could pass for a finished one.
 *
 * @example
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * await fitUnlessAborted(trainer, controller.signal, 'pre-training');   // StoppedError after Ctrl-C
 */
import type { FitResult } from './callbacks.js';
import { StoppedError } from './errors.js';
import type { Trainer } from './trainer.js';

/**
 * `trainer.fit()`, stopped after the current step when `signal` aborts: then (or when the signal
 * has aborted before the first step) it rejects with a StoppedError naming `where`. Without a
 * signal it is `trainer.fit()`. The abort listener is removed when the fit ends, so one signal can
 * serve any number of fits in turn.
 *
 * @example
 * const { history } = await fitUnlessAborted(trainer, options.signal, 'fitAdam');
 */
export async function fitUnlessAborted<B>(
  trainer: Trainer<B>,
  signal: AbortSignal | undefined,
  where: string,
): Promise<FitResult> {
  if (signal === undefined) return trainer.fit();
  if (signal.aborted) throw new StoppedError(where, trainer.stepsDone);
  const stop = (): void => trainer.requestStop();
  signal.addEventListener('abort', stop, { once: true });
  try {
    const result = await trainer.fit();
    // a stop someone else requested is theirs to handle, as with a plain fit()
    if (result.reason === 'stopped' && signal.aborted) throw new StoppedError(where, result.stepsDone);
    return result;
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
