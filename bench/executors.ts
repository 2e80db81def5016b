/**
 * What distributing a study buys and costs on this machine. Prints one JSON line:
 *   { workload, grid, threads, localSeconds, workersSeconds, speedup, jobs, bullmqMsPerJob }
 * - speed-up: the same multi-task study grid (`polytask study mtl`, 8 sub-runs) trained by the
 *   local executor and by `--workers 2`, with the same kernel thread budget
 *   (POLYTASK_NUM_THREADS=2 for both: local, one process of 2 kernel threads; --workers 2, two
 *   processes of 1 thread each, the budget shared out), wall time of the whole command, best of
 *   `reps`;
 * - BullMQ overhead per job: `jobs` sub-runs that do nothing, submitted at once through a private
 *   redis-server to one `QueueWorker` (one child process): the wall time over the jobs, i.e. what
 *   the queue, the child's IPC and the coordinator's polling add to every sub-run.
 *
 * usage: node dist/bench/executors.js [reps] [jobs]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/backends/index.js'; // registers the built-in backends
import { BullmqExecutor, QueueWorker } from '../src/executors/index.js';
import { hasFields, runSubRuns } from '../src/study/index.js';
import { NOOP_CHILD, noopTrainer } from './noop-study.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(root, 'dist/src/cli/main.js');
const GRID = [
  'study',
  'mtl',
  '--train',
  '3000',
  '--epochs',
  '5',
  '--methods',
  'ew,famo',
  '--seeds',
  '0,1',
  '--set',
  'test=200',
  '--set',
  'capacityCheck=false',
  '--no-report',
  '--quiet',
];

/** The kernel threads both executors have in all. */
const THREADS = 2;

function wall(args: string[]): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'polytask-bench-'));
  try {
    const t0 = performance.now();
    execFileSync(process.execPath, [CLI, '--runs-dir', dir, ...GRID, ...args], {
      stdio: 'ignore',
      env: { ...process.env, POLYTASK_NUM_THREADS: String(THREADS) },
    });
    return (performance.now() - t0) / 1000;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

async function bullmqMsPerJob(jobs: number): Promise<number | null> {
  if (!existsSync('/usr/bin/redis-server')) return null;
  const port = await freePort();
  const redis = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise<void>((resolve) =>
    redis.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept')) resolve();
    }),
  );
  const url = `redis://127.0.0.1:${port}`;
  const worker = new QueueWorker({ redis: url, entry: NOOP_CHILD, trainers: { noop: noopTrainer }, threads: 1 });
  try {
    const isId = (v: unknown): v is { id: string } => hasFields(v, { id: 'string' });
    const run = async (runId: string, n: number): Promise<number> => {
      const executor = new BullmqExecutor({
        redis: url,
        study: { runId, study: 'noop', config: {}, fingerprint: null, subRuns: null },
      });
      const grid = Array.from({ length: n }, (_, k) => ({ id: `job${k}`, spec: null }));
      const t0 = performance.now();
      await runSubRuns(grid, {
        executor,
        isRecord: isId,
        train: async () => {
          throw new Error('not here');
        },
      });
      const ms = performance.now() - t0;
      await executor.close();
      return ms;
    };
    await run('warmup', 5);
    return (await run('measured', jobs)) / jobs;
  } finally {
    await worker.close();
    redis.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const reps = Number(process.argv[2] ?? 1);
  const jobs = Number(process.argv[3] ?? 100);
  const local: number[] = [];
  const workers: number[] = [];
  for (let r = 0; r < reps; r++) {
    local.push(wall([]));
    workers.push(wall(['--workers', '2']));
  }
  const localSeconds = Math.min(...local);
  const workersSeconds = Math.min(...workers);
  const ms = await bullmqMsPerJob(jobs);
  console.log(
    JSON.stringify({
      workload: 'executors',
      grid: GRID.slice(1).join(' '),
      threads: `local: 1 process × ${THREADS} kernel threads; --workers 2: 2 processes × ${THREADS / 2} thread`,
      localSeconds: Number(localSeconds.toFixed(2)),
      workersSeconds: Number(workersSeconds.toFixed(2)),
      speedup: Number((localSeconds / workersSeconds).toFixed(2)),
      jobs,
      bullmqMsPerJob: ms === null ? null : Number(ms.toFixed(1)),
    }),
  );
}

await main();
