/**
 * Runs a suite once per backend: the JS reference always, the native addon when it is built.
 * POLYTASK_BACKEND=js|native narrows the run to that one backend; with POLYTASK_REQUIRE_NATIVE=1 a
 * missing addon fails the suite instead of leaving it to the JS backend alone.
 *
 * @example
 * for (const b of BACKENDS) describe(`on ${b}`, () => { useBackend(b); test(...); });
 */
import { after, before } from 'node:test';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { nativeAvailable, nativeRequired } from '../../src/backends/native/index.js';

export type BackendName = 'js' | 'native';

function chosen(): BackendName[] {
  const env = process.env['POLYTASK_BACKEND'];
  if (env === 'js' || env === 'native') return [env];
  const native = nativeAvailable();
  if (!native.available && nativeRequired())
    throw new Error(`POLYTASK_REQUIRE_NATIVE=1 but the native backend is unavailable: ${native.reason}`);
  return native.available ? ['js', 'native'] : ['js'];
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
