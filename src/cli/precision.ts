/**
 * `--precision fp32|bf16` of the commands that train (train, pretrain, finetune, study, worker):
 * the command runs with matmuls and convolutions at that precision (autocast.ts), and the worker
 * processes it starts inherit it through POLYTASK_PRECISION (worker-child.ts applies it). The
 * training commands keep it in their run's config (training.precision), so a resume keeps it.
 *
 * @example
 * await atPrecision(parsePrecisionFlag(flags.precision), () => runStudy(...));
 */
import { PRECISIONS, setDefaultPrecision, currentPrecision, type Precision } from '../tensor/index.js';
import { CliError } from './errors.js';

/** The environment variable that hands the precision to worker processes. */
export const PRECISION_ENV = 'POLYTASK_PRECISION';

/**
 * The value of `--precision` (undefined: fp32), or a CliError naming the flag.
 *
 * @example
 * parsePrecisionFlag('bf16'); // 'bf16'
 */
export function parsePrecisionFlag(value: unknown, flag = '--precision'): Precision {
  if (value === undefined) return 'fp32';
  if (typeof value === 'string' && (PRECISIONS as readonly string[]).includes(value)) return value as Precision;
  throw new CliError(`${flag}: found ${JSON.stringify(value)}, expected ${PRECISIONS.join(' or ')}`);
}

/**
 * Runs the command `fn` at `precision`, with POLYTASK_PRECISION set for the processes it starts;
 * both are put back afterwards (the CLI's tests run many commands in one process).
 */
export async function atPrecision<T>(precision: Precision, fn: () => Promise<T>): Promise<T> {
  const prev = currentPrecision();
  const prevEnv = process.env[PRECISION_ENV];
  setDefaultPrecision(precision);
  process.env[PRECISION_ENV] = precision;
  try {
    return await fn();
  } finally {
    setDefaultPrecision(prev);
    if (prevEnv === undefined) delete process.env[PRECISION_ENV];
    else process.env[PRECISION_ENV] = prevEnv;
  }
}

/** In a worker process: the precision its parent runs at (POLYTASK_PRECISION), for the whole process. */
export function applyInheritedPrecision(): void {
  setDefaultPrecision(parsePrecisionFlag(process.env[PRECISION_ENV], PRECISION_ENV));
}
