/**
 * The hostile-input corpus, end to end through the `polytask` command under a memory cap (a V8
 * heap limit and a peak-RSS check): files and flags that declare huge sizes, gzip bombs, keys that
 * reach for `Object.prototype`, symlinks out of a run directory, two writers on one run, and
 * spreadsheet formulas in predictions. Each bogus input must be refused in about two seconds with
 * one line naming the file or flag, without allocating its declared size, without writing or
 * deleting anything outside the run directory. A realistic large file (170,000 IDX images) must
 * train with a peak RSS under 1 GB.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/cli/hostile-input.test.js
 */
import type { ChildProcess } from 'node:child_process';
import { test } from 'node:test';
import { parse as parseCsvRecords } from 'csv-parse/sync';
import assert from 'node:assert/strict';
import {
  closeSync,
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { createGzip, gzipSync } from 'node:zlib';
import { encodeNpy } from '../../src/data/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { manifestEntry, type Manifest } from '../../src/train/index.js';
import { withTempDir } from './helpers.js';
import { assertRefused, errorLines, idxBytes, measureStartup, runCapped, tree } from './hostile-helpers.js';

const N = 60;
const D = 4;
const features = (): Uint8Array =>
  encodeNpy(
    new Tensor(
      Float32Array.from({ length: N * D }, (_, i) => ((i * 7) % 13) / 13 + (Math.floor(i / D) % 3)),
      [N, D],
    ),
  );
const labels = (): Uint8Array =>
  encodeNpy(
    new Tensor(
      Int32Array.from({ length: N }, (_, i) => i % 3),
      [N],
    ),
  );

/** Writes `header` then `zeros` zero bytes, gzip-compressed as one stream, without holding them in memory. */
async function gzipStream(file: string, header: Uint8Array, zeros: number): Promise<void> {
  const block = new Uint8Array(1 << 20);
  async function* body(): AsyncGenerator<Uint8Array> {
    yield header;
    for (let left = zeros; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
  }
  await pipeline(body, createGzip({ level: 1 }), createWriteStream(file));
}

/** Writes the tiny NPY data set into `dir` and returns the flags that train on it. */
function tinyData(dir: string): string[] {
  writeFileSync(join(dir, 'x.npy'), features());
  writeFileSync(join(dir, 'y.npy'), labels());
  return [
    '--data',
    'npy',
    '--set',
    `data.features=${join(dir, 'x.npy')}`,
    '--set',
    `data.labels=${join(dir, 'y.npy')}`,
  ];
}

/** Trains the tiny model and returns its run directory. */
async function tinyRun(dir: string, runsDir: string): Promise<string> {
  const r = await runCapped(
    ['train', ...tinyData(dir), '--set', 'model.hidden=[8]', '--epochs', '1', '--no-report', '-q', '--json'],
    { runsDir, heapMb: 512, killAfterCpuMs: 60_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { dir: string }).dir;
}

test('a gzip bomb is refused by its declared size, before it is inflated', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    await measureStartup();
    const run = await tinyRun(dir, runsDir);
    // 1 GiB of zeros behind an IDX header: about 1 MB compressed
    const header = idxBytes([1 << 20, 32, 32], new Uint8Array(0));
    await gzipStream(join(dir, 'bomb.idx.gz'), header, 1 << 30);
    const r = await runCapped(['predict', run, '-i', join(dir, 'bomb.idx.gz'), '-o', join(dir, 'p.csv')], { runsDir });
    assertRefused('gzip bomb', r, /bomb\.idx\.gz: gzip data inflates to more than 512 MiB/);
    // a trailer that lies about the size still stops at the limit
    const liar = gzipSync(Buffer.concat([header, new Uint8Array(64 << 20)]), { level: 1 });
    liar.writeUInt32LE(100, liar.length - 4);
    writeFileSync(join(dir, 'liar.idx.gz'), liar);
    const r2 = await runCapped(['predict', run, '-i', join(dir, 'liar.idx.gz')], {
      runsDir,
      env: { POLYTASK_MAX_INFLATE_BYTES: '16M' },
    });
    assertRefused('gzip bomb with a lying trailer', r2, /liar\.idx\.gz: gzip data inflates to more than 16 MiB/);
  }),
);

test('170,000 IDX images train with --limit 100 --epochs 1 under 1 GB of peak RSS', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const n = 170_000;
    const img = join(dir, 'img.idx');
    const fd = openSync(img, 'w');
    writeSync(fd, idxBytes([n, 28, 28], new Uint8Array(0)));
    const chunk = Uint8Array.from({ length: 784 * 10_000 }, (_, i) => (i * 7) & 255);
    for (let k = 0; k < n / 10_000; k++) writeSync(fd, chunk);
    closeSync(fd);
    writeFileSync(
      join(dir, 'lab.idx'),
      idxBytes(
        [n],
        Uint8Array.from({ length: n }, (_, i) => i % 10),
      ),
    );
    mkdirSync(join(dir, 'runs'));
    const r = await runCapped(
      [
        'train',
        '--data',
        'idx',
        '--set',
        `data.images=${img}`,
        '--set',
        `data.labels=${join(dir, 'lab.idx')}`,
        '--limit',
        '100',
        '--epochs',
        '1',
        '--no-report',
        '-q',
        '--json',
      ],
      {
        runsDir: join(dir, 'runs'),
        heapMb: 512,
        killAfterCpuMs: 100_000,
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.maxRssMb < 1024, `peak RSS ${r.maxRssMb.toFixed(0)} MiB`);
  }),
);

/** The header of a version 1.0 NPY file of little-endian float32 in C order, padded to 64 bytes as NumPy does. */
function npyHeader(shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const text = `${dict.padEnd(total - 10 - 1)}\n`;
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(Buffer.from(text, 'latin1'), 10);
  return out;
}

test(
  'an NPY file ten times the memory budget trains from disk (--limit 100 --epochs 1) with a small peak RSS',
  { timeout: 600_000 },
  () =>
    withTempDir(async (dir) => {
      // 250,000 × 200 float32: 200 MB on disk, against a budget of 16 MiB
      const n = 250_000;
      const cols = 200;
      const x = join(dir, 'x.npy');
      const fd = openSync(x, 'w');
      writeSync(fd, npyHeader([n, cols]));
      const rows = 5_000;
      const chunk = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7) % 13) / 13);
      for (let k = 0; k < n / rows; k++) writeSync(fd, new Uint8Array(chunk.buffer));
      closeSync(fd);
      writeFileSync(
        join(dir, 'y.npy'),
        encodeNpy(
          new Tensor(
            Int32Array.from({ length: n }, (_, i) => i % 3),
            [n],
          ),
        ),
      );
      const args = [
        'train',
        '--data',
        'npy',
        '--set',
        `data.features=${x}`,
        '--set',
        `data.labels=${join(dir, 'y.npy')}`,
        '--set',
        'data.testFraction=0.01',
        '--limit',
        '100',
        '--epochs',
        '1',
        '--no-report',
        '-q',
        '--json',
      ];
      const runsDir = join(dir, 'runs');
      const env = { POLYTASK_MEMORY_BUDGET: '16M' };
      await measureStartup();
      const r = await runCapped(args, { runsDir, env, heapMb: 256, killAfterCpuMs: 100_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'completed');
      // read whole, the file alone would take 200 MB on top of the CLI's ~150 MB
      assert.ok(r.maxRssMb < 280, `peak RSS ${r.maxRssMb.toFixed(0)} MiB`);
      // every example read at once is still refused by the budget, naming the file
      const all = await runCapped(
        args.map((a) => (a === 'data.testFraction=0.01' ? 'data.testFraction=0.5' : a)),
        { runsDir, env, heapMb: 256 },
      );
      assertRefused(
        'half the file as a test split',
        all,
        /x\.npy: 12500\d examples as float32 would take 95 MiB, more than the memory budget of 16 MiB/,
      );
    }),
);

/** A refusal case: files to write into the case directory, the CLI arguments (`$` is that directory), what the line says. */
interface Refusal {
  name: string;
  files?: Record<string, string | Uint8Array>;
  args: string[];
  pattern: RegExp;
  env?: Record<string, string>;
  /** Time limit after start-up, when a path loads more than the default 2 s allow on a loaded machine. */
  maxMs?: number;
}

/** Runs `cases` two at a time (two cores). */
async function runAll<C>(cases: readonly C[], fn: (c: C) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length) await fn(cases[next++]!);
  };
  await Promise.all([worker(), worker()]);
}

const aliasBomb = [
  'a: &a [1,1,1,1,1,1,1,1,1]',
  ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
].join('\n');

const KEY_CASES: Refusal[] = [
  {
    name: '--set __proto__.polluted',
    args: ['train', '--set', '__proto__.polluted=1'],
    pattern: /--set __proto__\.polluted: the key "__proto__" is not allowed/,
  },
  {
    name: '--set __proto__.classes',
    args: ['train', '--set', '__proto__.classes=[3,4]'],
    pattern: /--set __proto__\.classes: the key "__proto__" is not allowed/,
  },
  {
    name: '--set __proto__.toString',
    args: ['train', '--set', '__proto__.toString=1'],
    pattern: /--set __proto__\.toString: the key "__proto__" is not allowed/,
  },
  {
    name: '--set a constructor path',
    args: ['train', '--set', 'data.constructor.prototype=1'],
    pattern: /--set data\.constructor\.prototype: the key "constructor" is not allowed/,
  },
  {
    name: '--set a mapping holding __proto__',
    args: ['train', '--set', 'data={__proto__: {polluted: 1}}'],
    pattern: /--set data: __proto__: the key "__proto__" is not allowed/,
  },
  {
    name: 'config: constructor key',
    files: { 'c.yaml': 'training:\n  constructor: 1\n' },
    args: ['train', '-c', '$/c.yaml'],
    pattern: /c\.yaml: training\.constructor: the key "constructor" is not allowed/,
  },
  {
    name: 'config: prototype as a task name',
    files: { 's.yaml': 'tasks:\n  prototype: { classes: 2 }\n' },
    args: ['train', '-c', '$/s.yaml'],
    pattern: /s\.yaml: tasks\.prototype: the key "prototype" is not allowed/,
  },
  {
    name: 'config: YAML alias bomb',
    files: { 'bomb.yaml': `${aliasBomb}\n` },
    args: ['train', '-c', '$/bomb.yaml'],
    pattern: /bomb\.yaml: too many YAML aliases/,
  },
  {
    name: 'config: deeply nested JSON',
    files: { 'deep.json': `${'{"data":'.repeat(100_000)}1${'}'.repeat(100_000)}` },
    args: ['train', '-c', '$/deep.json'],
    pattern: /deep\.json: nested deeper than 64 levels/,
  },
  {
    name: 'config: deeply nested lists',
    files: { 'deep.json': `{"data": ${'['.repeat(200_000)}${']'.repeat(200_000)}}` },
    args: ['train', '-c', '$/deep.json'],
    pattern: /deep\.json: nested deeper than 64 levels/,
  },
];

/** Writes each case's files into its own directory, runs it and checks the refusal. */
async function refuseAll(dir: string, cases: readonly Refusal[], runsDir: string): Promise<void> {
  await measureStartup();
  await runAll(cases, async (c) => {
    const caseDir = join(dir, c.name.replace(/[^a-z0-9]+/gi, '-'));
    mkdirSync(caseDir, { recursive: true });
    for (const [file, content] of Object.entries(c.files ?? {}))
      writeFileSync(join(caseDir, file), typeof content === 'string' ? content.replaceAll('$', caseDir) : content);
    const r = await runCapped(
      c.args.map((a) => a.replaceAll('$', caseDir)),
      { runsDir, ...(c.env === undefined ? {} : { env: c.env }) },
    );
    assertRefused(c.name, r, c.pattern, c.maxMs === undefined ? {} : { maxMs: c.maxMs });
  });
}

test('keys that reach for the object model are refused in flags and config files', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    await refuseAll(dir, KEY_CASES, runsDir);
    assert.deepEqual(
      tree(runsDir).filter((n) => !n.startsWith('index.sqlite')),
      [],
      'no run directory is started',
    );
  }),
);

/** Waits until `runsDir` holds a run directory with a lock and a metrics line, and returns its name. */
async function runningRun(runsDir: string, timeoutMs = 30_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const name of existsSync(runsDir) ? readdirSync(runsDir) : []) {
      const dir = join(runsDir, name);
      if (
        existsSync(join(dir, '.lock')) &&
        existsSync(join(dir, 'metrics.jsonl')) &&
        statSync(join(dir, 'metrics.jsonl')).size > 0
      )
        return name;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no running run appeared under ${runsDir}`);
}

/** The statuses `runs list` shows, by run id. */
async function statuses(runsDir: string): Promise<Record<string, string>> {
  const r = await runCapped(['runs', 'list', '--json'], { runsDir });
  assert.equal(r.code, 0, r.stderr);
  return Object.fromEntries((JSON.parse(r.stdout) as { id: string; status: string }[]).map((x) => [x.id, x.status]));
}

test('one writer per run; SIGTERM stops like Ctrl-C; a killed run is marked stopped', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const long = [
      'train',
      ...tinyData(dir),
      '--set',
      'model.hidden=[8]',
      '--set',
      'training.batchSize=4',
      '--epochs',
      '100000',
      '--no-report',
      '-q',
    ];
    let child: ChildProcess | undefined;
    const first = runCapped(long, {
      runsDir,
      heapMb: 512,
      killAfterCpuMs: 90_000,
      onSpawn: (c) => {
        child = c;
      },
    });
    const id = await runningRun(runsDir);
    // a second writer on the same run is refused, naming the run and the owner
    const second = await runCapped(['train', '--resume', id, '--epochs', '1', '--no-report', '-q'], { runsDir });
    assertRefused('second writer', second, new RegExp(`run ${id} is in use by process ${child!.pid}`), { maxMs: 4000 });
    child!.kill('SIGTERM');
    const stopped = await first;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.equal((await statuses(runsDir))[id], 'stopped');
    assert.equal(existsSync(join(runsDir, id, '.lock')), false, 'the lock is released');

    // SIGKILL leaves the lock of a dead process: the run is marked stopped, and can be taken up again
    rmSync(runsDir, { recursive: true });
    const killed = runCapped(long, {
      runsDir,
      heapMb: 512,
      killAfterCpuMs: 90_000,
      onSpawn: (c) => {
        child = c;
      },
    });
    const id2 = await runningRun(runsDir);
    child!.kill('SIGKILL');
    assert.equal((await killed).signal, 'SIGKILL');
    // the next listing records it as stopped (its process is gone), so every filter sees it so
    assert.equal((await statuses(runsDir))[id2], 'stopped');
    const listed = await runCapped(['runs', 'list', '--status', 'stopped', '--json'], { runsDir });
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { id: string }[]).map((r) => r.id),
      [id2],
    );
    const resumed = await runCapped(['train', '--resume', id2, '--set', 'training.maxSteps=1', '--no-report', '-q'], {
      runsDir,
      heapMb: 512,
      killAfterCpuMs: 60_000,
    });
    assert.doesNotMatch(resumed.stderr, /in use/, resumed.stderr);
  }),
);

test(
  'symbolic links out of a run directory are refused before anything is written or deleted through them',
  { timeout: 600_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      await measureStartup();
      const good = await tinyRun(dir, runsDir);
      writeFileSync(join(dir, 'in.npy'), encodeNpy(new Tensor(new Float32Array(5 * D), [5, D])));
      const outside = join(dir, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'precious.txt'), 'keep me');
      const cases: { name: string; link: string; target: string; args: (run: string) => string[]; pattern: RegExp }[] =
        [
          {
            name: 'checkpoints linked out',
            link: 'checkpoints',
            target: outside,
            args: (run) => ['train', '--resume', run, '--epochs', '3', '--no-report', '-q'],
            pattern: /checkpoints: is a symbolic link to .*outside, outside the run directory/,
          },
          {
            name: 'metrics.jsonl linked out',
            link: 'metrics.jsonl',
            target: join(outside, 'precious.txt'),
            args: (run) => ['train', '--resume', run, '--epochs', '3', '--no-report', '-q'],
            pattern: /metrics\.jsonl: is a symbolic link to .*precious\.txt, outside the run directory/,
          },
          {
            name: 'charts linked out',
            link: 'charts',
            target: outside,
            args: (run) => ['report', run],
            pattern: /charts: is a symbolic link to .*outside, outside the run directory/,
          },
          {
            name: 'predict output through charts linked out',
            link: 'charts',
            target: outside,
            args: (run) => ['predict', run, '-i', join(dir, 'in.npy'), '-o', join(run, 'charts', 'p.csv')],
            pattern: /charts: is a symbolic link to .*outside, outside the run directory/,
          },
          {
            name: 'a dangling link',
            link: 'charts',
            target: join(dir, 'nowhere'),
            args: (run) => ['report', run],
            pattern: /charts: is a symbolic link to ".*nowhere", which does not exist/,
          },
        ];
      for (const c of cases) {
        const copy = join(dir, 'copies', c.name.replace(/[^a-z0-9]+/gi, '-'));
        cpSync(good, copy, { recursive: true });
        rmSync(join(copy, c.link), { recursive: true, force: true });
        rmSync(join(copy, '.lock'), { force: true });
        symlinkSync(c.target, join(copy, c.link));
        const before = tree(outside);
        const r = await runCapped(c.args(copy), { runsDir });
        assertRefused(c.name, r, c.pattern);
        assert.deepEqual(tree(outside), before, `${c.name}: files outside the run changed`);
        assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep me');
      }
    }),
);

/** Whether `checkpoints` holds only finished checkpoints: none half-written, none being removed. */
function checkpointsAtRest(checkpoints: string): boolean {
  if (!existsSync(checkpoints)) return false;
  const names = readdirSync(checkpoints);
  return (
    names.length > 0 &&
    names.every(
      (n) =>
        /^step-\d+-epoch-\d+$/.test(n) &&
        existsSync(join(checkpoints, n, 'manifest.json')) &&
        !readdirSync(join(checkpoints, n)).some((f) => f.endsWith('.tmp')),
    )
  );
}

/** Whether process `pid` is stopped (state T in /proc/<pid>/stat). */
function stopped(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

/**
 * Stops `child` (SIGSTOP) at a moment when its run's checkpoints are at rest, so that swapping
 * them for a link cannot cut a checkpoint's writing in half; the caller continues it (SIGCONT).
 */
async function pauseBetweenCheckpoints(child: ChildProcess, checkpoints: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    child.kill('SIGSTOP');
    while (!stopped(child.pid!)) await new Promise((r) => setTimeout(r, 1));
    if (checkpointsAtRest(checkpoints)) return;
    child.kill('SIGCONT');
    await new Promise((r) => setTimeout(r, 3));
  }
  throw new Error(`${checkpoints} never came to rest`);
}

test(
  'a link swapped in while a run trains stops the run at its next write, naming the link; nothing outside changes',
  { timeout: 600_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      const outside = join(dir, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'precious.txt'), 'keep me');
      mkdirSync(join(outside, 'step-00000001-epoch-0000'));
      writeFileSync(join(outside, 'step-00000001-epoch-0000', 'model.safetensors'), 'not a checkpoint');
      const long = [
        'train',
        ...tinyData(dir),
        '--set',
        'model.hidden=[8]',
        '--set',
        'training.batchSize=4',
        '--epochs',
        '100000',
        '--no-report',
        '-q',
      ];
      const cases: { name: string; file: string; target: string; pattern: RegExp }[] = [
        {
          name: 'metrics.jsonl',
          file: 'metrics.jsonl',
          target: join(outside, 'precious.txt'),
          pattern: /metrics\.jsonl: is a symbolic link to .*precious\.txt, outside the run directory/,
        },
        {
          name: 'checkpoints/',
          file: 'checkpoints',
          target: outside,
          pattern: /checkpoints: is a symbolic link to .*outside, outside the run directory/,
        },
      ];
      for (const c of cases) {
        rmSync(runsDir, { recursive: true, force: true });
        const before = tree(outside);
        let child: ChildProcess | undefined;
        const running = runCapped(long, {
          runsDir,
          heapMb: 512,
          killAfterCpuMs: 90_000,
          onSpawn: (p) => {
            child = p;
          },
        });
        const id = await runningRun(runsDir);
        // stopped between two checkpoints (it has written some, and prunes old ones at each save),
        // the file or folder is swapped for a link (inside the run: renamed aside), then it goes on
        await pauseBetweenCheckpoints(child!, join(runsDir, id, 'checkpoints'));
        const path = join(runsDir, id, c.file);
        renameSync(path, `${path}.aside`);
        symlinkSync(c.target, path);
        child!.kill('SIGCONT');
        const r = await running;
        const ctx = `${c.name}: exit ${r.code}, signal ${r.signal}, stderr:\n${r.stderr.slice(0, 2000)}`;
        assert.equal(r.hung, false, ctx);
        assert.equal(r.code, 1, ctx);
        const lines = errorLines(r.stderr);
        assert.equal(lines.length, 1, ctx);
        assert.match(lines[0]!, c.pattern, ctx);
        assert.deepEqual(tree(outside), before, `${c.name}: files outside the run changed`);
        assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep me');
        const shown = await runCapped(['runs', 'show', id, '--json'], { runsDir });
        assert.match(shown.stdout, /"status": ?"failed"/, shown.stdout.slice(0, 500));
      }
    }),
);

/** A run directory copy whose checkpoint metadata.json says `change` over the good one (the manifest updated as a writer would). */
function withMetadata(good: string, copy: string, change: (meta: Record<string, unknown>) => void): void {
  cpSync(good, copy, { recursive: true });
  const root = join(copy, 'checkpoints');
  const ckpt = join(
    root,
    readdirSync(root).find((n) => n.startsWith('step-'))!,
  );
  const meta = JSON.parse(readFileSync(join(ckpt, 'metadata.json'), 'utf8')) as Record<string, unknown>;
  change(meta);
  const bytes = Buffer.from(JSON.stringify(meta));
  writeFileSync(join(ckpt, 'metadata.json'), bytes);
  const manifest = JSON.parse(readFileSync(join(ckpt, 'manifest.json'), 'utf8')) as Manifest;
  manifest.files['metadata.json'] = manifestEntry(bytes);
  writeFileSync(join(ckpt, 'manifest.json'), JSON.stringify(manifest));
}

test('sizes declared by files and flags are checked before anything is allocated', { timeout: 600_000 }, () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    await measureStartup();
    const good = await tinyRun(dir, runsDir);
    writeFileSync(join(dir, 'in.npy'), encodeNpy(new Tensor(new Float32Array(5 * D), [5, D])));
    const metaCases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
      [
        'hidden [8000, 8000]',
        (m) => {
          (m.config as Record<string, unknown>).hidden = [8000, 8000];
        },
        /checkpoint \S+: model\.safetensors does not fit the model metadata\.json describes: 64072003 parameters declared, \d+ values stored/,
      ],
      [
        'hidden [20000, 20000]',
        (m) => {
          (m.config as Record<string, unknown>).hidden = [20_000, 20_000];
        },
        /metadata\.json: the model it describes: 400180003 parameters is more than the limit of 200000000/,
      ],
      [
        'classes 5000000',
        (m) => {
          (m.tasks as Record<string, unknown>[])[0]!.classes = 5_000_000;
          delete (m.tasks as Record<string, unknown>[])[0]!.classNames;
        },
        /metadata\.json: tasks\[0\]\.classes: 5000000 classes is more than the limit of 100000/,
      ],
      [
        '200,000 layers',
        (m) => {
          (m.config as Record<string, unknown>).hidden = new Array(200_000).fill(1);
        },
        /metadata\.json: config\.hidden: 200000 layers is more than the limit of 1000/,
      ],
      [
        'sizes past the typed-array limit',
        (m) => {
          (m.config as Record<string, unknown>).hidden = [2 ** 31, 2 ** 31];
        },
        /metadata\.json: the model it describes: \d+ parameters is more than the limit/,
      ],
    ];
    const refusals: Refusal[] = metaCases.flatMap(([name, change, pattern]) => {
      const copy = join(dir, 'meta', name.replace(/[^a-z0-9]+/gi, '-'));
      withMetadata(good, copy, change);
      return [
        { name: `eval: ${name}`, args: ['eval', copy], pattern },
        { name: `predict: ${name}`, args: ['predict', copy, '-i', join(dir, 'in.npy')], pattern },
      ];
    });
    const wide = `${Array.from({ length: 2_000_001 }, (_, i) => `c${i}`).join(',')}\n`;
    refusals.push(
      {
        name: 'CSV with 2M columns',
        files: { 'wide.csv': wide },
        args: ['train', '--data', 'csv', '--set', 'data.file=$/wide.csv', '--set', 'data.label=c0'],
        pattern: /wide\.csv: header: 2000001 columns is more than the limit of 100000/,
      },
      {
        name: 'task description with 2M classes',
        files: {
          'study.yaml': 'dataset: $/tasks.yaml\nmethods: [ew]\nepochs: 1\n',
          'tasks.yaml':
            'input: { file: $/x.npy }\ntasks:\n  t:\n    kind: multiclass\n    classes: 2000000\n    targets: { file: $/y.npy }\n',
          'x.npy': features(),
          'y.npy': labels(),
        },
        args: ['study', 'mtl', '-c', '$/study.yaml', '-q'],
        pattern: /tasks\.yaml: tasks\.t\.classes: found 2000000, expected a number <= 100000/,
        maxMs: 3000,
      },
      {
        name: '--epochs 1e12',
        args: ['train', '--epochs', '1e12'],
        pattern: /training\.epochs: 1000000000000 epochs is more than the limit of 1000000/,
      },
      {
        name: '--epochs 0x10',
        args: ['train', '--epochs', '0x10'],
        pattern: /--epochs: training\.epochs: found "0x10" \(a string\), expected an integer/,
      },
      {
        name: '--max-steps 1e15',
        args: ['train', '--max-steps', '1e15'],
        pattern: /training\.maxSteps: 1000000000000000 steps is more than the limit/,
      },
      {
        name: '--classes 0,0',
        args: ['train', '--classes', '0,0', '--epochs', '1'],
        pattern: /data\.classes: class 0 is listed twice/,
      },
      {
        name: 'runs list --limit 1e20',
        args: ['runs', 'list', '--limit', '1e20'],
        pattern: /--limit: found "1e20", expected an integer from 1 to 1000000/,
      },
    );
    await refuseAll(dir, refusals, runsDir);
  }),
);

test(
  'predictions CSV is quoted and formula-safe; errors quote bounded snippets; empty references and odd runs roots are refused',
  { timeout: 600_000 },
  () =>
    withTempDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      await measureStartup();
      const good = await tinyRun(dir, runsDir);
      writeFileSync(
        join(dir, 'in.npy'),
        encodeNpy(
          new Tensor(
            Float32Array.from({ length: 30 * D }, (_, i) => (i % 7) - 3),
            [30, D],
          ),
        ),
      );
      const crafted = join(dir, 'crafted');
      withMetadata(good, crafted, (m) => {
        (m.tasks as Record<string, unknown>[])[0]!.classNames = [
          '=HYPERLINK("http://example.invalid")',
          '@SUM(1),"x"\n-2',
          42,
        ];
      });
      const out = join(dir, 'p.csv');
      const r = await runCapped(['predict', crafted, '-i', join(dir, 'in.npy'), '-o', out, '-q'], { runsDir });
      assert.equal(r.code, 0, r.stderr);
      const rows = parseCsvRecords(readFileSync(out, 'utf8')) as string[][];
      assert.deepEqual(rows[0], ['index', 'class', 'name', 'probability']);
      assert.equal(rows.length, 31);
      for (const row of rows.slice(1)) {
        assert.equal(row.length, 4, `a row of ${row.length} fields: ${JSON.stringify(row)}`);
        for (const cell of row) assert.doesNotMatch(cell, /^[=+@]|^-[^0-9]/, `a formula cell: ${JSON.stringify(cell)}`);
      }

      const passwdLike = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';
      const refusals: Refusal[] = [
        {
          name: 'a crafted data file echoes no whole line',
          files: { passwd: passwdLike },
          args: ['train', '--data', 'csv', '--set', 'data.file=$/passwd', '--set', 'data.label=y'],
          pattern: /passwd: no label column "y" \(1 columns: "root:x:0:0:root:\/roo…"\)$/,
        },
        { name: 'empty run reference', args: ['eval', ''], pattern: /an empty run reference/ },
        { name: 'empty --runs-dir', args: ['--runs-dir', '', 'runs', 'list'], pattern: /--runs-dir: empty/ },
        {
          name: '--runs-dir under /proc',
          args: ['--runs-dir', '/proc/polytask-x/runs', 'train', '--epochs', '1'],
          pattern: /\/proc: a virtual filesystem \(\/proc, \/sys\) cannot hold runs/,
        },
        {
          name: '--runs-dir through a file',
          files: { plain: 'x' },
          args: ['--runs-dir', '$/plain/runs', 'train', '--epochs', '1'],
          pattern: /plain\/runs: cannot use it for runs \(ENOTDIR\)/,
        },
      ];
      await refuseAll(dir, refusals, runsDir);
    }),
);
