/**
 * The run guard (src/io/run-guard.ts): once a run directory is guarded, every writer of a run's
 * files (checkpoints and their pruning, charts, metrics.jsonl, run.json, sub-run records, data
 * fingerprint, plain atomic writes) refuses a path through a symbolic link out of the run, naming
 * the link, and writes or deletes nothing outside; links inside the run are followed. A scan of
 * src/ checks that no module writes or deletes files except through src/io (a short list of
 * reviewed exceptions aside).
 *
 * @example
 * node scripts/run-tests.mjs dist/test/io/run-guard.test.js
 */
import type { MakeDirectoryOptions, PathLike } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDataFingerprint, type DataFingerprint } from '../../src/data/fingerprint.js';
import { writeFileAtomic, writeFileAtomicSync } from '../../src/io/atomic.js';
import {
  assertContainedWrite,
  guardedAppendSync,
  guardedMkdirSync,
  guardedRemoveSync,
  guardRunDirectory,
} from '../../src/io/run-guard.js';
import { finishRunDir, MetricsLog, writeRunJson, createRunDir } from '../../src/report/index.js';
import { writeReport } from '../../src/report/write-report.js';
import { FileSubRunStore } from '../../src/study/sub-runs.js';
import { tensor } from '../../src/tensor/index.js';
import { pruneCheckpoints, saveCheckpoint } from '../../src/train/index.js';

function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map(String).sort();
}

async function withRun(body: (run: string, outside: string) => Promise<void> | void): Promise<void> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'polytask-guard-')));
  try {
    const run = createRunDir(join(dir, 'runs'), 'train', { epochs: 1 }).dir;
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious.txt'), 'keep me');
    guardRunDirectory(run);
    await body(run, outside);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fingerprint: DataFingerprint = { mode: 'sha256', files: [], builtin: [] };

const linkOut = (run: string, name: string, target: string): void => {
  rmSync(join(run, name), { recursive: true, force: true });
  symlinkSync(target, join(run, name));
};

const refusal = (name: string): RegExp =>
  new RegExp(`${name.replaceAll('.', '\\.')}: is a symbolic link to .*, outside the run directory`);

test('every kind of run write is refused through a link out of the run, naming it', () =>
  withRun(async (run, outside) => {
    const before = tree(outside);
    const model = { w: tensor([1, 2, 3]) };
    // checkpoints: saving (mkdir, files) and pruning (rename, delete)
    saveCheckpoint(join(run, 'checkpoints'), { step: 1, epoch: 0, model });
    saveCheckpoint(join(run, 'checkpoints'), { step: 2, epoch: 0, model });
    renameSync(join(run, 'checkpoints'), join(outside, 'moved'));
    symlinkSync(join(outside, 'moved'), join(run, 'checkpoints'));
    const movedBefore = tree(join(outside, 'moved'));
    assert.throws(
      () => saveCheckpoint(join(run, 'checkpoints'), { step: 3, epoch: 0, model }, { keepLast: 1 }),
      refusal('checkpoints'),
    );
    assert.throws(() => pruneCheckpoints(join(run, 'checkpoints'), 1), refusal('checkpoints'));
    assert.deepEqual(tree(join(outside, 'moved')), movedBefore, 'nothing pruned or written outside');
    rmSync(join(outside, 'moved'), { recursive: true });

    // metrics.jsonl appended through a link to a file outside
    linkOut(run, 'metrics.jsonl', join(outside, 'precious.txt'));
    assert.throws(
      () => new MetricsLog(join(run, 'metrics.jsonl')).append({ type: 'step', section: 'train', step: 1, epoch: 0 }),
      refusal('metrics.jsonl'),
    );
    rmSync(join(run, 'metrics.jsonl'));

    // charts/ of a report
    linkOut(run, 'charts', outside);
    await assert.rejects(
      writeReport(run, {
        title: 't',
        meta: [],
        config: {},
        data: {
          metrics: [
            { type: 'step', section: 'train', step: 1, epoch: 0, loss: 1, losses: { a: 1 } },
            { type: 'step', section: 'train', step: 2, epoch: 0, loss: 0.5, losses: { a: 0.5 } },
          ],
        },
      }),
      refusal('charts'),
    );
    rmSync(join(run, 'charts'));

    // sub-run records and their directories
    linkOut(run, 'subruns', outside);
    assert.throws(() => FileSubRunStore.open(join(run, 'subruns', 'mtl'), { config: {} }), refusal('subruns'));
    rmSync(join(run, 'subruns'));
    const store = FileSubRunStore.open(join(run, 'subruns'), { config: {} });
    linkOut(run, 'subruns', outside);
    assert.throws(() => store.put('ew-seed0', { accuracy: 1 }), refusal('subruns'));
    assert.throws(() => store.dir('ew-seed0'), refusal('subruns'));
    rmSync(join(run, 'subruns'));

    // results, data fingerprint, tokenizer, adapters: one atomic writer, sync and async
    linkOut(run, 'adapters', outside);
    assert.throws(() => writeFileAtomicSync(join(run, 'adapters', 'lora.safetensors'), 'x'), refusal('adapters'));
    await assert.rejects(writeFileAtomic(join(run, 'adapters', 'x.json'), 'x'), refusal('adapters'));
    assert.throws(() => guardedMkdirSync(join(run, 'adapters', 'a')), refusal('adapters'));
    assert.throws(() => guardedRemoveSync(join(run, 'adapters', 'precious.txt')), refusal('adapters'));
    assert.throws(() => guardedAppendSync(join(run, 'adapters', 'precious.txt'), 'x'), refusal('adapters'));
    assert.throws(() => writeRunJson(join(run, 'adapters'), 'results.json', {}), refusal('adapters'));
    assert.throws(() => writeDataFingerprint(join(run, 'adapters'), fingerprint), refusal('adapters'));
    // run.json (and tokenizer.json, data-fingerprint.json at the top) linked to a file outside
    linkOut(run, 'tokenizer.json', join(outside, 'precious.txt'));
    assert.throws(() => writeFileAtomicSync(join(run, 'tokenizer.json'), '{}'), refusal('tokenizer.json'));
    const runJson = readFileSync(join(run, 'run.json'));
    writeFileSync(join(outside, 'run.json'), runJson);
    linkOut(run, 'run.json', join(outside, 'run.json'));
    assert.throws(() => finishRunDir(run, { status: 'completed' }), refusal('run.json'));
    assert.deepEqual(JSON.parse(readFileSync(join(outside, 'run.json'), 'utf8')), JSON.parse(runJson.toString()));
    rmSync(join(outside, 'run.json'));

    // a dangling link is refused too
    linkOut(run, 'charts', join(outside, 'nowhere'));
    assert.throws(
      () => guardedMkdirSync(join(run, 'charts')),
      /charts: is a symbolic link to ".*nowhere", which does not exist/,
    );

    assert.deepEqual(tree(outside), before, 'files outside the run changed');
    assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep me');
  }));

test('links that stay inside the run are followed; paths outside every run are not checked', () =>
  withRun((run, outside) => {
    mkdirSync(join(run, 'real-checkpoints'));
    symlinkSync(join(run, 'real-checkpoints'), join(run, 'checkpoints'));
    saveCheckpoint(join(run, 'checkpoints'), { step: 1, epoch: 0, model: { w: tensor([1]) } });
    assert.equal(readdirSync(join(run, 'real-checkpoints')).length, 1);
    // outside every guarded run: a link on the way is the user's business
    symlinkSync(outside, join(outside, '..', 'elsewhere'));
    writeFileAtomicSync(join(outside, '..', 'elsewhere', 'free.txt'), 'ok');
    assert.equal(readFileSync(join(outside, 'free.txt'), 'utf8'), 'ok');
    assertContainedWrite(join(run, 'not-yet', 'deeper', 'file'));
  }));

test('the run directory itself swapped for a link is refused', () =>
  withRun((run, outside) => {
    const parked = `${run}.parked`;
    renameSync(run, parked);
    symlinkSync(outside, run);
    try {
      assert.throws(() => writeFileAtomicSync(join(run, 'x.json'), '{}'), /is a symbolic link to .*outside/);
      assert.equal(existsSync(join(outside, 'x.json')), false);
    } finally {
      rmSync(run);
      renameSync(parked, run);
    }
  }));

/** node:fs's own exports object, whose mkdirSync a test may replace (then syncBuiltinESMExports). */
const cjsFs = createRequire(import.meta.url)('node:fs') as { mkdirSync: typeof mkdirSync };

/** Runs `body` with fs.mkdirSync first calling `swap` when it is asked for a path containing `marker`. */
function swapBeforeMkdir(marker: string, swap: () => void, body: () => void): void {
  const mkdir = cjsFs.mkdirSync;
  let swapped = false;
  cjsFs.mkdirSync = ((p: PathLike, opts?: MakeDirectoryOptions) => {
    if (!swapped && String(p).includes(marker)) {
      swapped = true;
      swap();
    }
    return mkdir(p, opts);
  }) as typeof mkdirSync;
  syncBuiltinESMExports();
  try {
    body();
    assert.equal(swapped, true, 'the swap ran');
  } finally {
    cjsFs.mkdirSync = mkdir;
    syncBuiltinESMExports();
  }
}

/** `dir` (inside a run) moved to `to` and replaced by a link to it. */
const swapForLink = (dir: string, to: string) => (): void => {
  renameSync(dir, to);
  symlinkSync(to, dir);
};

test('a directory made through a link swapped in after the check is taken back and refused', () =>
  withRun((run, outside) => {
    // a new checkpoint's directory, the write that lands between two checkpoints
    const root = join(run, 'checkpoints');
    const model = { w: tensor([1, 2, 3]) };
    saveCheckpoint(root, { step: 1, epoch: 0, model });
    const moved = join(outside, 'moved');
    const first = tree(root);
    swapBeforeMkdir('step-00000002', swapForLink(root, moved), () =>
      assert.throws(() => saveCheckpoint(root, { step: 2, epoch: 0, model }), refusal('checkpoints')),
    );
    assert.deepEqual(tree(moved), first, 'the new directory is gone again');

    // a recursive mkdir: every level it made is taken back, the deepest first
    // (and no further: the empty folder it started from stays)
    const charts = join(run, 'charts');
    mkdirSync(join(charts, 'keep'), { recursive: true });
    const chartsOut = join(outside, 'charts');
    swapBeforeMkdir(join('keep', 'a'), swapForLink(charts, chartsOut), () =>
      assert.throws(() => guardedMkdirSync(join(charts, 'keep', 'a', 'b', 'c')), refusal('charts')),
    );
    assert.deepEqual(tree(chartsOut), ['keep']);
    assert.deepEqual(
      tree(outside).filter((f) => !f.startsWith('moved')),
      ['charts', 'charts/keep', 'precious.txt'],
    );
  }));

/**
 * Modules allowed to call fs's writing functions directly, and why: each either creates something
 * that is not yet a run (the runs root, a fresh run directory) or opens with O_NOFOLLOW / after the
 * guard's check.
 */
const DIRECT_WRITERS: Record<string, string> = {
  'io/atomic.ts': 'the atomic writer: checks with the run guard first',
  'io/run-guard.ts': 'the guarded functions themselves',
  'report/run-dir.ts': 'creates the runs root and a fresh run directory (mkdir without recursive)',
  'cli/runs-root-guard.ts': 'creates the runs root one level at a time; removes half-created run directories',
  'cli/run-lock.ts': 'the lock file, opened with O_EXCL | O_NOFOLLOW; removed at exit by its owner',
  'data/image-folder/cache.ts': "writes its temp file through an fd opened 'wx' after assertContainedWrite",
  'io/spill-file.ts': "a fresh mkdtemp folder in the OS temporary folder, one file opened 'wx', both unlinked at once",
};

test('no module of src/ writes or deletes files except through src/io (reviewed exceptions aside)', () => {
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
  const writer =
    /\b(?:fs|fsp)\.(?:writeFileSync|writeFile|appendFileSync|appendFile|rmSync|rm|unlinkSync|unlink|renameSync|rename|mkdirSync|mkdir|copyFileSync|cpSync|symlinkSync|writeSync|rmdirSync|truncateSync)\(|\bopenSync\([^)]*['"](?:w|a)|\b(?:writeFileSync|appendFileSync|rmSync|unlinkSync|renameSync|mkdirSync)\(/;
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const rel = path.relative(src, p).split(path.sep).join('/');
        if (rel in DIRECT_WRITERS) continue;
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/^\s*(\*|\/\/)/.test(line)) return;
            if (writer.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(src);
  assert.deepEqual(offenders, [], 'write through writeFileAtomic* or the guarded* functions of src/io/run-guard.ts');
});
