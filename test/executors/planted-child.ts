/**
 * A worker child for the executor tests: serves the 'planted' study, whose sub-run 'ok' returns
 * { value: 1 } and whose every other sub-run throws 'planted failure' (an answer known by
 * construction).
 *
 * @example
 * new QueueWorker({ redis, entry: PLANTED_CHILD, trainers: { planted: plantedTrainer } });
 */
import '../../src/backends/index.js';
import { serveChild } from '../../src/executors/index.js';
import { plantedTrainer } from './planted.js';

serveChild({ planted: plantedTrainer });
