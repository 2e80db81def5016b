/**
 * The child process of the SIGKILL test: trains the two-task problem with a checkpoint every few
 * steps, resuming from the newest checkpoint in its directory, and writes the final weights.
 * Prints `resumed <step>` or `fresh`, then `step <n>` after every step, then `done`; the parent
 * kills it at a random line. `--delay-ms` slows each step so that a kill lands mid-training.
 *
 * @example
 * node dist/test/train/fixtures-kill-worker.js --dir /tmp/run --out /tmp/final.safetensors --delay-ms 2
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import '../helpers/setup.js'; // a separate process: registers the backends itself
import { saveSafetensors } from '../../src/io/index.js';
import { Trainer } from '../../src/train/index.js';
import { WORKER_EPOCHS, WORKER_EVERY_STEPS, buildProblem } from './fixtures-problem.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    out: { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
  },
});
if (values.dir === undefined || values.out === undefined) throw new Error('usage: --dir DIR --out FILE [--delay-ms N]');
const delayMs = Number(values['delay-ms']);
const pause = new Int32Array(new SharedArrayBuffer(4));
// synchronous writes: a line the parent reads was fully written before the kill
const say = (line: string): void => void writeSync(1, `${line}\n`);

const p = buildProblem(7);
const trainer = new Trainer({
  ...p.parts,
  epochs: WORKER_EPOCHS,
  checkpoint: {
    dir: values.dir,
    everySteps: WORKER_EVERY_STEPS,
    keepLast: 2,
    metadata: { problem: 'two-task', seed: 7 },
  },
  callbacks: {
    onStepEnd: (e) => {
      if (delayMs > 0) Atomics.wait(pause, 0, 0, delayMs);
      say(`step ${e.step}`);
    },
  },
});
const from = trainer.resume();
say(from === null ? 'fresh' : `resumed ${from.step}`);
await trainer.fit();
saveSafetensors(values.out, p.model.stateDict());
say('done');
