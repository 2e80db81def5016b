/**
 * The 'noop' study of bench/executors.ts: sub-runs `job0`, `job1`, ... that return { id } at once.
 *
 * @example
 * await noopTrainer.train({}, 'job3', {}); // { id: 'job3' }
 */
import { fileURLToPath } from 'node:url';
import type { SubRunTrainer } from '../src/study/index.js';

export const NOOP_CHILD = fileURLToPath(new URL('./noop-child.js', import.meta.url));

export const noopTrainer: SubRunTrainer = {
  ids: () => [],
  fingerprint: () => 'noop',
  train: async (_config, id) => ({ id }),
};
