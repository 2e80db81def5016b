/**
 * Runs a suite once per backend: the JS reference always, the native addon when it is built.
 * POLYTASK_BACKEND=js|native narrows the run to that one backend.
 *
 * @example
 * for (const b of BACKENDS) describe(`on ${b}`, () => { useBackend(b); test(...); });
 */
import { after, before } from 'node:test';
import { getBackend, nativeAvailable, setBackend } from '../../src/backend/registry.js';

export type BackendName = 'js' | 'native';

function chosen(): BackendName[] {
  const env = process.env['POLYTASK_BACKEND'];
  if (env === 'js' || env === 'native') return [env];
  return nativeAvailable().available ? ['js', 'native'] : ['js'];
}

export const BACKENDS: readonly BackendName[] = chosen();

/** Inside a describe: switches to `name` before its tests and back to the previous backend after. */
export function useBackend(name: BackendName): void {
  let prev: BackendName = 'js';
  before(() => {
    prev = getBackend().name as BackendName;
    setBackend(name);
  });
  after(() => {
    setBackend(prev);
  });
}
