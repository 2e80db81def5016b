/**
 * Running the compiled CLI in a child process, as a user would: its exit status, stdout and stderr,
 * with a private runs root per test.
 *
 * @example
 * const r = await polytask(['runs', 'list', '--json'], { runsDir });
 * JSON.parse(r.stdout);
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled executables. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
export const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** A tiny multi-task study: six sub-runs (two single-task baselines and ew, two seeds) of 24 steps. */
export const TINY_MTL_STUDY: readonly string[] = [
  'study',
  'mtl',
  '--train',
  '768',
  '--epochs',
  '1',
  '--methods',
  'ew',
  '--seeds',
  '0,1',
  '--set',
  'test=64',
  '--set',
  'batchSize=32',
  '--set',
  'trunk.width=4',
  '--set',
  'capacityCheck=false',
  '--no-report',
];

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Passed as --runs-dir. */
  runsDir?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** The script to run instead of the CLI (the main job). */
  script?: string;
  /** Called with the child once it runs (to send it a signal). */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
}

/**
 * Runs `polytask <args>` and collects its output.
 *
 * @example
 * const { code, stderr } = await polytask(['train', '--epochs', 'x']);
 */
export function polytask(args: readonly string[], o: RunOptions = {}): Promise<Ran> {
  const full = [o.script ?? CLI, ...(o.runsDir === undefined ? [] : ['--runs-dir', o.runsDir]), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, full, {
      cwd: o.cwd ?? tmpdir(),
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), stdout, stderr }));
    o.onSpawn?.(child);
  });
}

/**
 * A fresh temporary directory, removed after `body`.
 *
 * @example
 * test('x', () => withTempDir(async (dir) => { ... }));
 */
export async function withTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-cli-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Resolves when the metrics log at `path` holds at least `n` step records (a run under way).
 *
 * @example
 * await stepsLogged(join(runDir, 'metrics.jsonl'), 3);
 */
export async function stepsLogged(path: string, n: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const steps = existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.includes('"type":"step"')).length
      : 0;
    if (steps >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${n} step records in ${path}`);
}
