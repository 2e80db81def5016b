/**
 * Limits on what a file's contents may make polytask allocate: the most bytes a gzip stream may
 * inflate to, and the memory budget of examples read into float32 (a file larger than the budget
 * is read lazily, row by row, and a selection larger than the budget is refused before anything is
 * allocated). Each has a default and an environment variable: `POLYTASK_MAX_INFLATE_BYTES`,
 * `POLYTASK_MEMORY_BUDGET` (a byte count, or with a suffix: `512M`, `2G`).
 *
 * @example
 * const limits = readLimits();          // { maxInflateBytes: 536870912, memoryBudgetBytes: 2147483648 }
 * checkAllocation('x.idx', 4 * 1e9, limits, 'float32 examples'); // throws a ValueError naming x.idx
 */
import * as fs from 'node:fs';
import { ValueError } from '../core/errors.js';

/** The limits readers apply to what a file makes them allocate. */
export interface ReadLimits {
  /** The most bytes a `.gz` file may inflate to. */
  maxInflateBytes: number;
  /** The most bytes of examples held in memory at once (and the size above which a file is read lazily). */
  memoryBudgetBytes: number;
}

const MIB = 1024 * 1024;

/** How many bytes of memory parsing one byte of CSV text takes, about (strings and records). */
export const CSV_BYTES_PER_BYTE = 8;

/** The defaults: 512 MiB of inflated data, 2 GiB of examples. */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxInflateBytes: 512 * MIB,
  memoryBudgetBytes: 2048 * MIB,
});

const SUFFIX: Readonly<Record<string, number>> = { '': 1, K: 1024, M: MIB, G: 1024 * MIB };

/**
 * A byte count as written in an environment variable: digits with an optional K, M or G suffix.
 *
 * @example
 * parseByteCount('512M', 'POLYTASK_MAX_INFLATE_BYTES'); // 536870912
 */
export function parseByteCount(text: string, name: string): number {
  const m = /^\s*(\d{1,15})\s*([KMG]?)i?B?\s*$/i.exec(text);
  const n = m === null ? NaN : Number(m[1]) * SUFFIX[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new ValueError(
      name,
      `expected a positive byte count such as 536870912 or 512M, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  return n;
}

/**
 * The limits in force: the defaults, each replaced by its environment variable when set.
 *
 * @example
 * readLimits({ POLYTASK_MEMORY_BUDGET: '1G' }).memoryBudgetBytes; // 1073741824
 */
export function readLimits(env: NodeJS.ProcessEnv = process.env): ReadLimits {
  const inflate = env.POLYTASK_MAX_INFLATE_BYTES;
  const budget = env.POLYTASK_MEMORY_BUDGET;
  return {
    maxInflateBytes:
      inflate === undefined || inflate === ''
        ? DEFAULT_READ_LIMITS.maxInflateBytes
        : parseByteCount(inflate, 'POLYTASK_MAX_INFLATE_BYTES'),
    memoryBudgetBytes:
      budget === undefined || budget === ''
        ? DEFAULT_READ_LIMITS.memoryBudgetBytes
        : parseByteCount(budget, 'POLYTASK_MEMORY_BUDGET'),
  };
}

/**
 * Bytes in words.
 *
 * @example
 * formatBytes(1536 * 1024 * 1024); // '1.5 GiB'
 */
export function formatBytes(n: number): string {
  if (n >= 1024 * MIB) return `${(n / (1024 * MIB)).toFixed(1)} GiB`;
  if (n >= MIB) return `${(n / MIB).toFixed(0)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}

/**
 * Refuses, before allocating, `bytes` of `what` read from `file` when they exceed the memory budget.
 *
 * @example
 * checkAllocation('images.idx', rows * rowSize * 4, readLimits(), 'float32 examples');
 */
export function checkAllocation(file: string, bytes: number, limits: ReadLimits, what: string): void {
  if (!(bytes <= limits.memoryBudgetBytes)) {
    throw new ValueError(
      file,
      `${what} would take ${formatBytes(bytes)}, more than the memory budget of ${formatBytes(limits.memoryBudgetBytes)} (raise POLYTASK_MEMORY_BUDGET, or select fewer examples)`,
    );
  }
}

/**
 * Refuses, before reading it, a file that will be held in memory whole (`factor` bytes per byte
 * of file) when that exceeds the memory budget.
 *
 * @example
 * checkFileSize('features.npy', readLimits(), 1, 'an NPY file');
 */
export function checkFileSize(path: string, limits: ReadLimits, factor: number, what: string): void {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch {
    return; // the read that follows names a missing or unreadable file
  }
  checkAllocation(path, size * factor, limits, `reading ${what} of ${formatBytes(size)} whole`);
}
