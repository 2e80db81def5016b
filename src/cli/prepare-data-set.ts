/**
 * Builds a prepared data set (src/data/prepared/) with a progress bar, as `data prepare NAME` and
 * `npm start -- --case NAME` both do.
 *
 * @example
 * const { dir, manifest } = await prepareWithProgress(ctx.bars, 'clipart', { seed: 0 });
 */
import { ensurePrepared, type EnsureOptions } from '../data/prepared/index.js';
import type { ProgressBars } from './progress.js';

/**
 * `ensurePrepared(name, options)` drawing its progress on `bars` (stopped when it ends or fails).
 *
 * @example
 * await prepareWithProgress(bars, 'wordnet');
 */
export async function prepareWithProgress(
  bars: ProgressBars,
  name: string,
  options: Omit<EnsureOptions, 'progress'> = {},
): ReturnType<typeof ensurePrepared> {
  const bar = bars.bar(`preparing ${name}`, 1);
  try {
    return await ensurePrepared(name, {
      ...options,
      progress: (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      },
    });
  } finally {
    bars.stop();
  }
}
