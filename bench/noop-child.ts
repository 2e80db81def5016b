/**
 * A worker child for bench/executors.ts: the 'noop' study, whose every sub-run returns at once, so
 * a job's time is the executor's own cost (queue, child IPC, result collection).
 *
 * usage: forked by the benchmark's QueueWorker (not run by hand)
 */
import '../src/backends/index.js';
import { serveChild } from '../src/executors/index.js';
import { noopTrainer } from './noop-study.js';

serveChild({ noop: noopTrainer });
