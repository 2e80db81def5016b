/**
 * The entry module of a worker's child process (src/executors/child.ts): registers the backends,
 * takes its parent's precision (POLYTASK_PRECISION) and trains the jobs its parent sends with the
 * studies' sub-run trainers.
 *
 * @example
 * fork(WORKER_CHILD); // see worker-entry.ts
 */
import '../backends/index.js'; // registers the built-in backends
import { serveChild } from '../executors/index.js';
import { applyInheritedPrecision } from './precision.js';
import { STUDY_TRAINERS } from './studies/trainers.js';

applyInheritedPrecision(); // --precision of the command that started this worker
serveChild(STUDY_TRAINERS);
