/**
 * Backend selection: the native addon when it is built, else the JS reference backend.
 * `POLYTASK_BACKEND=js|native` chooses explicitly; a missing native build is reported once, in one line.
 *
 * @example
 * setBackend('js');
 * getBackend().name; // 'js'
 */
import { ValueError } from '../core/errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from '../backends/js/index.js';
import { loadNativeBackend } from '../backends/native/index.js';

let current: Backend | null = null;

/** The backend every op dispatches to. */
export function getBackend(): Backend {
  if (current === null) current = chooseDefault();
  return current;
}

/** Switches backend: 'js' (reference) or 'native' (throws when the addon is not built). */
export function setBackend(name: 'js' | 'native'): Backend {
  if (name === 'js') current = jsBackend;
  else if (name === 'native') {
    const nb = loadNativeBackend();
    if (nb.backend === null) throw new ValueError('setBackend', `native backend unavailable: ${nb.reason}`);
    current = nb.backend;
  } else throw new ValueError('setBackend', `unknown backend '${String(name)}', expected 'js' or 'native'`);
  return current;
}

/** Whether the native addon loaded, and why not. */
export function nativeAvailable(): { available: boolean; reason: string } {
  const nb = loadNativeBackend();
  return { available: nb.backend !== null, reason: nb.reason };
}

function chooseDefault(): Backend {
  const env = process.env['POLYTASK_BACKEND'];
  if (env === 'js' || env === 'native') return setBackend(env);
  if (env !== undefined && env !== '') {
    throw new ValueError('POLYTASK_BACKEND', `unknown backend '${env}', expected 'js' or 'native'`);
  }
  const nb = loadNativeBackend();
  if (nb.backend !== null) return nb.backend;
  process.emitWarning(`polytask: native backend unavailable (${nb.reason}); using the JS reference backend`);
  return jsBackend;
}
