/**
 * Backend registry and selection. Backends register themselves when their module is imported (as
 * tfjs' and tinygrad's do); this module knows none of them. By default the available backend of
 * highest priority is used (native when built, else js); `POLYTASK_BACKEND=<name>` chooses
 * explicitly; a fallback past an unavailable backend is reported once, in one line, unless that
 * backend's registration requires it, in which case selection throws.
 *
 * @example
 * registerBackend('js', () => ({ backend: jsBackend, reason: '' }), 0, { description: 'JS reference backend' });
 * setBackend('js');
 * getBackend().name; // 'js'
 */
import { ValueError } from '../core/errors.js';
import type { Backend } from './backend.js';

/** What loading a backend gives: the backend, or null and the reason it is unavailable. */
export interface BackendLoad {
  backend: Backend | null;
  reason: string;
}

/** Optional parts of a registration. */
export interface BackendRegistration {
  /** How the fallback warning names the backend ('JS reference backend'); default '<name> backend'. */
  description?: string;
  /** Why the default selection must not fall back past this backend (e.g. 'POLYTASK_REQUIRE_NATIVE=1'), or null. Read at selection time. */
  required?: () => string | null;
}

interface Entry {
  name: string;
  load: () => BackendLoad;
  priority: number;
  description: string;
  required: () => string | null;
}

const entries = new Map<string, Entry>();
let current: Backend | null = null;

/**
 * Registers (or replaces) a backend under `name`. `load` is called lazily and should cache; the
 * default selection tries backends from the highest `priority` down.
 *
 * @example
 * registerBackend('native', loadNativeBackend, 1);
 */
export function registerBackend(
  name: string,
  load: () => BackendLoad,
  priority: number,
  opts: BackendRegistration = {},
): void {
  entries.set(name, {
    name,
    load,
    priority,
    description: opts.description ?? `${name} backend`,
    required: opts.required ?? (() => null),
  });
}

/**
 * The names of the registered backends, lowest priority first.
 *
 * @example
 * registeredBackends(); // ['js', 'native']
 */
export function registeredBackends(): string[] {
  return [...entries.values()].sort((a, b) => a.priority - b.priority).map((e) => e.name);
}

/**
 * The backend every op dispatches to.
 *
 * @example
 * getBackend().name; // 'native' when the addon is built, else 'js'
 */
export function getBackend(): Backend {
  if (current === null) current = chooseDefault();
  return current;
}

/**
 * Switches backend by name (throws when it is unknown or unavailable).
 *
 * @example
 * setBackend('js');
 */
export function setBackend(name: string): Backend {
  const entry = entries.get(name);
  if (entry === undefined)
    throw new ValueError('setBackend', `unknown backend '${String(name)}', expected ${expected()}`);
  const { backend, reason } = entry.load();
  if (backend === null) throw new ValueError('setBackend', `${name} backend unavailable: ${reason}`);
  current = backend;
  return current;
}

/**
 * Whether the backend registered as `name` loads, and why not.
 *
 * @example
 * backendAvailable('native'); // { available: false, reason: '.../polytask_native.node is not built (...)' }
 */
export function backendAvailable(name: string): { available: boolean; reason: string } {
  const entry = entries.get(name);
  if (entry === undefined)
    return { available: false, reason: `no backend '${name}' is registered (import 'polytask')` };
  const { backend, reason } = entry.load();
  return { available: backend !== null, reason };
}

function expected(): string {
  const names = registeredBackends().map((n) => `'${n}'`);
  if (names.length <= 1) return names[0] ?? "a registered backend (none is: import 'polytask')";
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]!}`;
}

function chooseDefault(): Backend {
  const env = process.env['POLYTASK_BACKEND'];
  if (env !== undefined && env !== '') {
    if (!entries.has(env)) throw new ValueError('POLYTASK_BACKEND', `unknown backend '${env}', expected ${expected()}`);
    return setBackend(env);
  }
  const skipped: { entry: Entry; reason: string }[] = [];
  for (const entry of [...entries.values()].sort((a, b) => b.priority - a.priority)) {
    const { backend, reason } = entry.load();
    if (backend === null) {
      const requiredBy = entry.required();
      if (requiredBy !== null)
        throw new ValueError(
          'backend',
          `${entry.name} backend unavailable (${reason}) and ${requiredBy} forbids the fallback`,
        );
      skipped.push({ entry, reason });
      continue;
    }
    for (const s of skipped) {
      process.emitWarning(
        `polytask: ${s.entry.name} backend unavailable (${s.reason}); using the ${entry.description}`,
      );
    }
    return backend;
  }
  throw new ValueError(
    'backend',
    `no backend available${skipped.map((s) => `; ${s.entry.name}: ${s.reason}`).join('')} (import 'polytask' to register the built-in ones)`,
  );
}
