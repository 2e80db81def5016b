/**
 * Run directories: every run (a training, a study, the main job) gets its own directory under a
 * runs root, named `<timestamp>-<kind>-<id>` so that `ls` lists runs in the order they started.
 * It holds `run.json` (what the run is and how it ended), `config.json` (the resolved config), and
 * whatever the run writes next to them (metrics.jsonl, checkpoints/, results, report.html). Every
 * file here is written atomically, so a crash never leaves a half-written run.json or config.
 *
 * @example
 * const run = createRunDir('runs', 'train', { epochs: 3 });
 * run.dir;                 // 'runs/20260101-120000-train-3fa2c1'
 * finishRunDir(run.dir, { status: 'completed', summary: { accuracy: 0.97 } });
 * readRunInfo(run.dir).status; // 'completed'
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, join } from 'node:path';
import { FormatError, ValueError } from '../core/errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';

/** How a run stands: written at start ('running') and rewritten when it ends. */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

/** The contents of a run's `run.json`. */
export interface RunInfo {
  /** The directory's name; unique within a runs root. */
  id: string;
  /** What the run does: 'train', 'finetune', 'study-mtl', 'main', ... */
  kind: string;
  /** Absolute path of the run's directory. */
  dir: string;
  /** ISO time the run was created. */
  createdAt: string;
  /** ISO time of the last change of status. */
  updatedAt: string;
  status: RunStatus;
  /** Key numbers of the finished run (metrics, verdicts); empty while it runs. */
  summary: Record<string, unknown>;
}

/** The files every run directory has. */
export const RUN_FILE = 'run.json';
export const CONFIG_FILE = 'config.json';

/** `20260101-120000`: a timestamp that sorts as text and is safe in file names. */
function stamp(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Creates a fresh run directory under `root` (created if missing), writes `config.json` and a
 * `run.json` with status 'running', and returns the run's info. The random part of the name comes
 * from `crypto`, not the seeded stream, so creating a run never shifts a model's random numbers.
 *
 * @example
 * const run = createRunDir('/tmp/runs', 'study-e2e', resolvedConfig);
 */
export function createRunDir(root: string, kind: string, config: unknown, now: Date = new Date()): RunInfo {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(kind))
    throw new ValueError('createRunDir', `kind must be lower-case letters, digits and '-', got '${kind}'`);
  fs.mkdirSync(root, { recursive: true });
  const id = `${stamp(now)}-${kind}-${randomBytes(3).toString('hex')}`;
  const dir = join(fs.realpathSync(root), id);
  // mkdir without recursive fails on an existing name: two runs never share a directory
  fs.mkdirSync(dir);
  const iso = now.toISOString();
  const info: RunInfo = { id, kind, dir, createdAt: iso, updatedAt: iso, status: 'running', summary: {} };
  writeJson(join(dir, CONFIG_FILE), config);
  writeJson(join(dir, RUN_FILE), info);
  return info;
}

/**
 * The `run.json` of a run directory; a FormatError-like ValueError when the directory is not a run.
 *
 * @example
 * readRunInfo('runs/20260101-120000-train-3fa2c1').kind; // 'train'
 */
export function readRunInfo(dir: string): RunInfo {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    throw new ValueError(dir, `not a run directory (no ${RUN_FILE})`);
  }
  const info = parseJson(path, text) as RunInfo;
  // the directory may have been moved since it was written: where it is now is what counts
  return { ...info, id: basename(dir), dir: fs.realpathSync(dir) };
}

/**
 * The resolved config a run was started with.
 *
 * @example
 * const config = readRunConfig(run.dir) as TrainConfig;
 */
export function readRunConfig(dir: string): unknown {
  const path = join(dir, CONFIG_FILE);
  if (!fs.existsSync(path)) throw new ValueError(dir, `not a run directory (no ${CONFIG_FILE})`);
  return parseJson(path, fs.readFileSync(path, 'utf8'));
}

/**
 * JSON text of the file at `path`, parsed; a file that is not JSON is a FormatError naming it.
 *
 * @example
 * parseJson('runs/a/run.json', text);
 */
export function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError(path, `not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Records how a run ended (or that it runs again, on resume): rewrites `run.json` atomically and
 * returns the new info.
 *
 * @example
 * finishRunDir(run.dir, { status: 'stopped', summary: { step: 120 } });
 */
export function finishRunDir(
  dir: string,
  change: { status: RunStatus; summary?: Record<string, unknown> },
  now: Date = new Date(),
): RunInfo {
  const info = readRunInfo(dir);
  const next: RunInfo = {
    ...info,
    status: change.status,
    summary: change.summary ?? info.summary,
    updatedAt: now.toISOString(),
  };
  writeJson(join(dir, RUN_FILE), next);
  return next;
}

/**
 * Writes a JSON file inside a run directory atomically (results, fitted curves).
 *
 * @example
 * writeRunJson(run.dir, 'results.json', studyResult);
 */
export function writeRunJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeJson(path, value);
  return path;
}
