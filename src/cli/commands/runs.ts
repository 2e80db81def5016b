/**
 * `polytask runs list|show|compare`: the run index (SQLite, one per runs root) as tables or JSON.
 * `list` shows the newest runs with their status and key numbers (a failed run: why, at which
 * step; a run whose process is gone is first recorded as stopped); `show` one run's record, config,
 * files and sub-runs (which worker trained each, in how many seconds); `compare` several runs side by side: their numbers and the config keys where they differ.
 *
 * @example
 * polytask runs list --kind train --limit 5
 * polytask runs show 3fa2c1
 * polytask runs compare 3fa2c1 9b0e44 --json
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { INDEX_FILE, readRunConfig, REPORT_FILE, type RunRecord, type RunStatus } from '../../report/index.js';
import { subRunLog, type SubRunLogEntry } from '../../study/index.js';
import { contextOf } from '../context.js';
import { CliError } from '../errors.js';
import { num, table } from '../format.js';
import { displayStatus } from '../run-lock.js';
import { describeFailure, failureOf, findRun, settleAbandonedRuns, withIndex } from '../run-store.js';
import { nullRecord, recordFrom } from '../../core/safe-keys.js';

const STATUSES = ['running', 'interrupted', 'completed', 'stopped', 'failed'];
/** The most rows a listing asks the index for. */
const MAX_LIMIT = 1_000_000;

/** A summary value in a table cell. */
function cell(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (v === undefined || v === null) return '–';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Characters of a verdict shown in a listing; `runs show` and --json give it whole. */
const HEADLINE_CHARS = 90;

const clip = (text: string): string => (text.length > HEADLINE_CHARS ? `${text.slice(0, HEADLINE_CHARS - 1)}…` : text);

/** The summary's most telling entry for a one-line listing. */
function headline(r: RunRecord): string {
  const s = r.summary;
  const failure = failureOf(s);
  if (failure !== null) return clip(describeFailure(failure));
  if (typeof s.stopped === 'string') return clip(s.stopped);
  if (typeof s.verdict === 'string') return clip(s.verdict);
  const numbers = Object.entries(s).filter(
    ([k, v]) => typeof v === 'number' && !['steps', 'epochs', 'seconds'].includes(k),
  );
  if (numbers.length > 0) return numbers.map(([k, v]) => `${k} ${num(v)}`).join(', ');
  // the main job keeps one verdict per study
  const verdicts = Object.entries(s)
    .filter(([, v]) => typeof v === 'string')
    .map(([k]) => k);
  return verdicts.length > 0 ? `verdicts: ${verdicts.join(', ')} (runs show ${r.id.slice(-6)})` : '';
}

/** Nested config values as `a.b.c` → value, for comparing configs key by key. */
function flatten(v: unknown, prefix = '', out: Record<string, string> = nullRecord()): Record<string, string> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out[prefix] = JSON.stringify(v);
  }
  return out;
}

function list(flags: { kind?: string; status?: string; limit: string }, cmd: Command): void {
  const { out, root } = contextOf(cmd);
  if (flags.status !== undefined && !STATUSES.includes(flags.status))
    throw new CliError(`--status: found "${flags.status.slice(0, 40)}", expected one of ${STATUSES.join(', ')}`);
  const limit = /^\d{1,7}$/.test(flags.limit) ? Number(flags.limit) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new CliError(`--limit: found "${flags.limit.slice(0, 40)}", expected an integer from 1 to ${MAX_LIMIT}`);
  // 'interrupted' is 'running' in the index, told apart by whether the run's owner still lives
  const stored = flags.status === 'interrupted' ? 'running' : flags.status;
  // listing never creates anything: a runs root without an index simply has no runs yet
  const indexed = fs.existsSync(join(root, INDEX_FILE));
  // runs whose process is gone are marked stopped first, so that every filter sees them as such
  if (indexed)
    settleAbandonedRuns(
      root,
      withIndex(root, (index) => index.list({ status: 'running', limit: MAX_LIMIT })),
    );
  const runs = !indexed
    ? []
    : withIndex(root, (index) =>
        index.list({
          ...(flags.kind === undefined ? {} : { kind: flags.kind }),
          ...(stored === undefined ? {} : { status: stored as RunStatus }),
          limit,
        }),
      )
        .map((r) => ({ ...r, status: displayStatus(r) as RunStatus }))
        .filter((r) => flags.status === undefined || r.status === flags.status);
  out.result(
    runs.map(({ config: _config, ...r }) => r),
    () =>
      runs.length === 0
        ? `no runs in ${root}`
        : table([['id', 'kind', 'status', 'result'], ...runs.map((r) => [r.id, r.kind, r.status, headline(r)])]),
  );
}

/** The recorded sub-runs of every study in run directory `dir`: who trained each, how long it took. */
function subRunsOf(dir: string): (SubRunLogEntry & { study: string })[] {
  const root = join(dir, 'subruns');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((n) => fs.statSync(join(root, n)).isDirectory())
    .sort()
    .flatMap((study) => subRunLog(join(root, study)).map((r) => ({ study, ...r })));
}

function show(ref: string, cmd: Command): void {
  const { out, root } = contextOf(cmd);
  const [found] = settleAbandonedRuns(root, [findRun(root, ref)]);
  const info = { ...found!, status: displayStatus(found!) as RunStatus };
  const failure = failureOf(info.summary);
  const config = readRunConfig(info.dir);
  const report = join(info.dir, REPORT_FILE);
  const checkpoints = join(info.dir, 'checkpoints');
  const files = {
    report: fs.existsSync(report) ? report : null,
    checkpoints: fs.existsSync(checkpoints)
      ? fs
          .readdirSync(checkpoints)
          .filter((n) => !n.startsWith('.'))
          .map((n) => join(checkpoints, n))
      : [],
  };
  const subRuns = subRunsOf(info.dir);
  out.result({ ...info, config, files, subRuns }, () =>
    [
      `${info.id}  ${info.kind}  ${info.status}`,
      `directory: ${info.dir}`,
      `created ${info.createdAt}, updated ${info.updatedAt}`,
      ...(failure === null ? [] : [`failed ${describeFailure(failure)}`]),
      ...Object.entries(info.summary)
        .filter(([k]) => !(k === 'error' && failure !== null))
        .map(([k, v]) => `  ${k}: ${cell(v)}`),
      ...(files.report === null ? [] : [`report: ${files.report}`]),
      ...files.checkpoints.map((c) => `checkpoint: ${c}`),
      ...(subRuns.length === 0
        ? []
        : [
            'sub-runs:',
            table([
              ['study', 'sub-run', 'worker', 'seconds'],
              ...subRuns.map((r) => [r.study, r.id, r.worker ?? '–', r.seconds === null ? '–' : r.seconds.toFixed(1)]),
            ]),
          ]),
    ].join('\n'),
  );
}

function compare(refs: string[], cmd: Command): void {
  const { out, root } = contextOf(cmd);
  if (refs.length < 2) throw new CliError('runs compare: give at least two runs');
  const runs = refs.map((ref) => findRun(root, ref)).map((r) => ({ ...r, status: displayStatus(r) as RunStatus }));
  const configs = runs.map((r) => flatten(readRunConfig(r.dir)));
  const summaryKeys = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))];
  const configKeys = [...new Set(configs.flatMap((c) => Object.keys(c)))].filter(
    (k) => new Set(configs.map((c) => c[k])).size > 1,
  );
  const json = {
    runs: runs.map((r) => ({ id: r.id, kind: r.kind, status: r.status, summary: r.summary })),
    differences: recordFrom(
      configKeys.map((k) => [k, configs.map((c) => (c[k] === undefined ? null : (JSON.parse(c[k]!) as unknown)))]),
    ),
  };
  out.result(json, () =>
    [
      table([
        ['', ...runs.map((r) => r.id)],
        ['kind', ...runs.map((r) => r.kind)],
        ['status', ...runs.map((r) => r.status)],
        ...summaryKeys.map((k) => [k, ...runs.map((r) => cell(r.summary[k]))]),
      ]),
      '',
      configKeys.length === 0
        ? 'configs: identical'
        : table([
            ['config key', ...runs.map((r) => r.id)],
            ...configKeys.map((k) => [k, ...configs.map((c) => c[k] ?? '–')]),
          ]),
    ].join('\n'),
  );
}

/**
 * Adds `runs list`, `runs show` and `runs compare`.
 *
 * @example
 * registerRunsCommands(program);
 */
export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('list, show and compare runs (from the run index)');
  runs
    .command('list')
    .description('the newest runs with their status and key numbers')
    .option('--kind <kind>', 'only runs of this kind (train, finetune, study-mtl, main, ...)')
    .option('--status <status>', `only runs with this status (${STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many runs', '20')
    .action((flags: { kind?: string; status?: string; limit: string }, cmd: Command) => list(flags, cmd));
  runs
    .command('show')
    .description('one run: its record, key numbers, report and checkpoints')
    .argument('<run>', 'run id, id suffix or directory')
    .action((ref: string, _flags: unknown, cmd: Command) => show(ref, cmd));
  runs
    .command('compare')
    .description('runs side by side: key numbers and the config keys that differ')
    .argument('<runs...>', 'two or more run ids, id suffixes or directories')
    .action((refs: string[], _flags: unknown, cmd: Command) => compare(refs, cmd));
}
