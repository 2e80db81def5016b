/**
 * Declared limits on what a file or flag may make polytask build: class and task counts, layer
 * counts, CSV width, epochs and steps. Each is checked before anything is allocated, so a
 * `classes: 5000000` or a CSV of two million columns is refused in a line instead of allocating
 * gigabytes. Each limit can be raised through an environment variable (`POLYTASK_MAX_CLASSES`,
 * `POLYTASK_MAX_TASKS`, `POLYTASK_MAX_LAYERS`, `POLYTASK_MAX_COLUMNS`, `POLYTASK_MAX_PARAMETERS`,
 * `POLYTASK_MAX_EPOCHS`, `POLYTASK_MAX_STEPS`).
 *
 * @example
 * sizeLimits().classes;                                       // 100000
 * checkDeclared('tasks.yaml: tasks.digit.classes', 'classes', 2_000_000); // throws a ValueError
 */
import { ValueError } from './errors.js';

/** The limits; see the module comment for their variables. */
export interface SizeLimits {
  classes: number;
  tasks: number;
  layers: number;
  columns: number;
  parameters: number;
  epochs: number;
  steps: number;
}

/** The defaults. */
export const DEFAULT_SIZE_LIMITS: Readonly<SizeLimits> = Object.freeze({
  classes: 100_000,
  tasks: 1_000,
  layers: 1_000,
  columns: 100_000,
  parameters: 200_000_000,
  epochs: 1_000_000,
  steps: 1_000_000_000,
});

const VARIABLES: Readonly<Record<keyof SizeLimits, string>> = {
  classes: 'POLYTASK_MAX_CLASSES',
  tasks: 'POLYTASK_MAX_TASKS',
  layers: 'POLYTASK_MAX_LAYERS',
  columns: 'POLYTASK_MAX_COLUMNS',
  parameters: 'POLYTASK_MAX_PARAMETERS',
  epochs: 'POLYTASK_MAX_EPOCHS',
  steps: 'POLYTASK_MAX_STEPS',
};

/**
 * The limits in force: the defaults, each replaced by its environment variable when set.
 *
 * @example
 * sizeLimits({ POLYTASK_MAX_CLASSES: '1000000' }).classes; // 1000000
 */
export function sizeLimits(env: NodeJS.ProcessEnv = process.env): SizeLimits {
  const out = { ...DEFAULT_SIZE_LIMITS };
  for (const key of Object.keys(VARIABLES) as (keyof SizeLimits)[]) {
    const text = env[VARIABLES[key]];
    if (text === undefined || text === '') continue;
    const n = /^\d{1,15}$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!(n >= 1))
      throw new ValueError(VARIABLES[key], `expected a positive integer, got ${JSON.stringify(text.slice(0, 40))}`);
    out[key] = n;
  }
  return out;
}

/**
 * Refuses `value` of `what` (a key of SizeLimits) above its limit; `where` names the file, field or flag.
 *
 * @example
 * checkDeclared(`${file}: header`, 'columns', names.length);
 */
export function checkDeclared(
  where: string,
  what: keyof SizeLimits,
  value: number,
  limits: SizeLimits = sizeLimits(),
): void {
  if (value > limits[what]) {
    throw new ValueError(
      where,
      `${value} ${what} is more than the limit of ${limits[what]} (raise ${VARIABLES[what]} if this is intended)`,
    );
  }
}
