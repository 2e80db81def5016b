/**
 * The 'planted' study of the executor tests (see planted-child.ts): sub-run 'ok' returns
 * { value: 1 }; any other throws 'planted failure' until the file named by the config's `fixed`
 * exists (the fix), then returns { value: 2 }.
 *
 * @example
 * await plantedTrainer.train({}, 'ok', {}); // { value: 1 }
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SubRunTrainer } from '../../src/study/index.js';

export const PLANTED_CHILD = fileURLToPath(new URL('./planted-child.js', import.meta.url));

export const plantedTrainer: SubRunTrainer = {
  ids: () => ['ok', 'bad'],
  fingerprint: () => 'planted',
  train: async (config, id) => {
    if (id === 'ok') return { value: 1 };
    const fixed: unknown =
      typeof config === 'object' && config !== null && 'fixed' in config ? config.fixed : undefined;
    if (typeof fixed === 'string' && existsSync(fixed)) return { value: 2 };
    throw new Error('planted failure');
  },
};
