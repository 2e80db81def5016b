/**
 * The 'planted' study of the executor tests (see planted-child.ts).
 *
 * @example
 * await plantedTrainer.train({}, 'ok', {}); // { value: 1 }
 */
import { fileURLToPath } from 'node:url';
import type { SubRunTrainer } from '../../src/study/index.js';

export const PLANTED_CHILD = fileURLToPath(new URL('./planted-child.js', import.meta.url));

export const plantedTrainer: SubRunTrainer = {
  ids: () => ['ok', 'bad'],
  fingerprint: () => 'planted',
  train: async (_config, id) => {
    if (id === 'ok') return { value: 1 };
    throw new Error('planted failure');
  },
};
