/**
 * Where the worker child's entry module is, for process pools (a file path).
 *
 * @example
 * new ProcessPool({ size: 2, entry: WORKER_CHILD });
 */
import { fileURLToPath } from 'node:url';

export const WORKER_CHILD = fileURLToPath(new URL('./worker-child.js', import.meta.url));
