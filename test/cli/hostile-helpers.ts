/**
 * Running the CLI on hostile input under a memory cap: a V8 heap limit (`--max-old-space-size`),
 * a watchdog, and the child's peak resident set size and CPU time (read by a preloaded script as
 * it exits), so a test can say that a bogus input was refused fast and without allocating what it
 * declared. "Fast" is the child's own CPU time (user + system), not wall time: on a machine loaded
 * by other processes the wall clock stretches while the work a refusal does does not. The
 * watchdog kills a child that burns more CPU than a refusal could need (a spin) or that outlives
 * a generous wall-clock ceiling (a hang that sleeps).
 *
 * @example
 * const r = await runCapped(['train', '--epochs', '1e12'], { runsDir });
 * assertRefused('huge epochs', r, /epochs/);
 * r.maxRssMb < 300;
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './helpers.js';

/** A run's outcome: exit, output, time, whether the watchdog killed it, and its peak RSS. */
export interface Capped {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  hung: boolean;
  /** Peak resident set size in MiB (NaN when the child died before reporting it). */
  maxRssMb: number;
  /** CPU time (user + system, all threads) the child used, in ms (NaN when it died before reporting it). */
  cpuMs: number;
}

export interface CappedOptions {
  runsDir?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** V8 heap cap in MiB (default 256). */
  heapMb?: number;
  /** Wall-clock watchdog in ms (default 180 s: only a hang that sleeps reaches it on a loaded machine). */
  killAfterMs?: number;
  /** CPU-time watchdog in ms (default 30 s of the child's own CPU time). */
  killAfterCpuMs?: number;
  /** Called with the child once it runs. */
  onSpawn?: (child: ChildProcess) => void;
}

const preloadDir = mkdtempSync(join(tmpdir(), 'polytask-rss-'));
const PRELOAD = join(preloadDir, 'rss.cjs');
// VmHWM (kB) is the peak of this process image; getrusage's maxRSS would carry the parent's over fork and exec;
// process.cpuUsage() is this process's user + system time (µs), every thread included
writeFileSync(
  PRELOAD,
  "process.on('exit', () => { try { const fs = require('fs'); const m = /VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8')); const c = process.cpuUsage(); fs.writeFileSync(process.env.POLYTASK_TEST_RSS_FILE, JSON.stringify({ rssKb: m ? Number(m[1]) : process.resourceUsage().maxRSS, cpuUs: c.user + c.system })); } catch {} });\n",
);
process.on('exit', () => rmSync(preloadDir, { recursive: true, force: true }));
let counter = 0;

/**
 * Runs `polytask <args>` under the heap cap and watchdog.
 *
 * @example
 * const r = await runCapped(['runs', 'list'], { runsDir });
 */
export function runCapped(args: readonly string[], o: CappedOptions = {}): Promise<Capped> {
  const rssFile = join(preloadDir, `rss-${process.pid}-${counter++}`);
  const full = [
    `--max-old-space-size=${o.heapMb ?? 256}`,
    '-r',
    PRELOAD,
    CLI,
    ...(o.runsDir === undefined ? [] : ['--runs-dir', o.runsDir]),
    ...args,
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, full, {
      cwd: o.cwd ?? tmpdir(),
      env: { ...process.env, ...o.env, POLYTASK_TEST_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    const stopWatch = watchdog(child, { wallMs: o.killAfterMs ?? 180_000, cpuMs: o.killAfterCpuMs ?? 30_000 }, () => {
      hung = true;
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      stopWatch();
      let report: { rssKb?: unknown; cpuUs?: unknown } = {};
      try {
        report = JSON.parse(readFileSync(rssFile, 'utf8')) as typeof report;
      } catch {
        // killed before it could report
      }
      rmSync(rssFile, { force: true });
      resolve({
        code: code ?? 128,
        signal,
        stdout,
        stderr,
        ms: Date.now() - started,
        hung,
        maxRssMb: typeof report.rssKb === 'number' ? report.rssKb / 1024 : NaN,
        cpuMs: typeof report.cpuUs === 'number' ? report.cpuUs / 1000 : NaN,
      });
    });
    o.onSpawn?.(child);
  });
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS = 100;

/**
 * CPU time (user + system) process `pid` has used so far, in ms, from /proc/<pid>/stat; NaN
 * when it cannot be read (the process is gone, or not Linux).
 *
 * @example
 * cpuTimeMs(child.pid!); // 412
 */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): state is [0], utime [11], stime [12]
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * Kills `child` (SIGKILL) once it has used `cpuMs` of CPU time or lived `wallMs`, calling
 * `onKill` first; returns the function that stops watching.
 *
 * @example
 * const stop = watchdog(child, { cpuMs: 20_000, wallMs: 180_000 }, () => (hung = true));
 */
export function watchdog(
  child: ChildProcess,
  limits: { cpuMs: number; wallMs: number },
  onKill: () => void,
): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    if (child.pid === undefined || child.exitCode !== null) return;
    if (Date.now() - started > limits.wallMs || cpuTimeMs(child.pid) > limits.cpuMs) {
      onKill();
      child.kill('SIGKILL');
    }
  }, 100);
  return () => clearInterval(timer);
}

/** stderr without Node's own process warnings. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('(node:') && !l.startsWith('(Use `node --trace-warnings'));
}

/**
 * The refusal contract: exit 1 or 2 (no signal, no hang), within `maxMs` of the child's own CPU
 * time beyond what starting the CLI takes, one line on stderr in the CLI's form matching
 * `pattern`, no stack trace, no raw JS error name, and a peak RSS under `maxRssMb`.
 *
 * @example
 * assertRefused('gzip bomb', r, /inflates to more than/);
 */
export function assertRefused(
  name: string,
  r: Capped,
  pattern: RegExp,
  o: { maxMs?: number; maxRssMb?: number } = {},
): void {
  const ctx = `${name}: exit ${r.code}, signal ${r.signal}, ${r.ms} ms wall, ${r.cpuMs.toFixed(0)} ms CPU, ${r.maxRssMb.toFixed(0)} MiB, stderr:\n${r.stderr.slice(0, 2000)}`;
  assert.equal(r.hung, false, `${ctx}\n(a hang)`);
  assert.equal(r.signal, null, `${ctx}\n(ended by a signal)`);
  assert.ok(r.code === 1 || r.code === 2, `${ctx}\n(expected exit 1 or 2)`);
  assert.equal(r.stdout, '', `${ctx}\nstdout:\n${r.stdout.slice(0, 500)}`);
  const lines = errorLines(r.stderr);
  assert.equal(lines.length, 1, `${ctx}\n(expected one line on stderr)`);
  const line = lines[0]!;
  assert.match(line, /^polytask: \S/, ctx);
  assert.ok(line.length <= 600, `${ctx}\n(an error line of ${line.length} characters)`);
  assert.doesNotMatch(
    line,
    /\bat \S+ \(|\.js:\d+:\d+|node:internal|FATAL|ReferenceError|RangeError|SqliteError|TypeError/,
    `${ctx}\n(a raw error)`,
  );
  assert.match(line, pattern, ctx);
  // the child's CPU time: a loaded machine stretches wall time, not the work the refusal does
  assert.ok(!Number.isNaN(r.cpuMs), `${ctx}\n(no CPU time reported)`);
  const limit = (o.maxMs ?? 2000) + startup;
  assert.ok(
    r.cpuMs < limit,
    `${ctx}\n(${r.cpuMs.toFixed(0)} ms of CPU, more than ${o.maxMs ?? 2000} ms after a start-up of ${startup.toFixed(0)} ms)`,
  );
  if (!Number.isNaN(r.maxRssMb))
    assert.ok(r.maxRssMb < (o.maxRssMb ?? 400), `${ctx}\n(peak RSS over ${o.maxRssMb ?? 400} MiB)`);
}

let startup = 0;

/**
 * Measures the CPU time the CLI takes to start and answer `--version`; refusal time limits count
 * from there (loading the modules is not the refusal's work).
 *
 * @example
 * await measureStartup();
 */
export async function measureStartup(): Promise<number> {
  const r = await runCapped(['--version']);
  if (!Number.isNaN(r.cpuMs)) startup = Math.max(startup, r.cpuMs);
  return startup;
}

/**
 * Every file under `dir`, relative, sorted (empty when it does not exist).
 *
 * @example
 * assert.deepEqual(tree(outside), before);
 */
export function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

/**
 * An IDX file header for `dims` of unsigned bytes (type 0x08), followed by `body`.
 *
 * @example
 * writeFileSync('img.idx', idxBytes([2, 2, 2], new Uint8Array(8)));
 */
export function idxBytes(dims: readonly number[], body: Uint8Array, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, dims.length], 0);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}
