/**
 * What the distributed-study tests share: a study's outcome as the real `polytask study` command
 * printed and recorded it (its result without wall times, its verdict, its sub-run records without
 * their seconds, and the worker that trained each), `polytask worker` processes with their logs,
 * and waiting for a condition.
 *
 * @example
 * const want = outcome(await polytask([...STUDY, '--json']), 'e2e');
 * const got = outcome(await polytask([...STUDY, '--json', '--workers', '2']), 'e2e');
 * assertSame(got, want, 12);
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, type Ran } from '../cli/helpers.js';

/** Every process runs its kernels on one thread: results agree bit for bit at equal thread counts. */
export const ONE_THREAD = { POLYTASK_NUM_THREADS: '1' };

/** A study's outcome (see the module comment). */
export interface StudyOutcome {
  dir: string;
  result: unknown;
  verdict: unknown;
  records: Record<string, unknown>;
  workers: Record<string, string>;
}

/** `value` without the keys named `seconds` or `timing`, at any depth (wall times differ between runs). */
function withoutTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'seconds' && k !== 'timing')
      .map(([k, v]) => [k, withoutTimes(v)]),
  );
}

/**
 * The outcome of study `key` from the `--json` output of a finished `polytask study` command.
 *
 * @example
 * outcome(ran, 'transfer').records.source; // { checkpoint: null, losses: [...] }
 */
export function outcome(r: Ran, key: string): StudyOutcome {
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { dir: string; verdict: unknown; result: unknown };
  const dir = join(out.dir, 'subruns', key);
  const records: Record<string, unknown> = {};
  const workers: Record<string, string> = {};
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { id: string; worker: string; result: unknown };
    records[record.id] = withoutTimes(record.result);
    workers[record.id] = record.worker;
  }
  return { dir: out.dir, result: withoutTimes(out.result), verdict: out.verdict, records, workers };
}

/**
 * Asserts that `got` has `want`'s records (`count` of them), result and verdict.
 *
 * @example
 * assertSame(outcome(distributed, 'mtl'), outcome(local, 'mtl'), 6);
 */
export function assertSame(got: StudyOutcome, want: StudyOutcome, count: number): void {
  assert.deepEqual(Object.keys(got.records).sort(), Object.keys(want.records).sort());
  assert.equal(Object.keys(got.records).length, count);
  assert.deepEqual(got.records, want.records);
  assert.deepEqual(got.result, want.result);
  assert.deepEqual(got.verdict, want.verdict);
}

/**
 * A `polytask worker` process (one kernel thread a job, locks of 1.5 s), its stderr collected.
 *
 * @example
 * const w = worker(redis.url, {}, ['--concurrency', '2']);
 */
export function worker(
  url: string,
  env: Record<string, string> = {},
  extra: readonly string[] = [],
): { child: ChildProcess; log: () => string } {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--redis', url, '--threads', '1', '--lock-ms', '1500', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  return { child, log: () => log };
}

/**
 * Resolves once `check()` holds; rejects naming `what` after `ms`.
 *
 * @example
 * await until(() => log().includes('done'), 'a job to finish');
 */
export async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Ends worker processes (SIGTERM) and waits for them.
 *
 * @example
 * await stopAll([w1, w2]);
 */
export async function stopAll(workers: readonly { child: ChildProcess }[]): Promise<void> {
  await Promise.all(
    workers.map(({ child }) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((resolve) => {
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
    ),
  );
}
