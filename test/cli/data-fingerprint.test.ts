/**
 * The data fingerprint through the real `polytask` command: a train run records it; `--resume`
 * after one byte of its CSV changed is refused in one line naming the file, with nothing written;
 * in hash mode an mtime-only touch is accepted; in size+mtime mode (over the threshold) a size
 * change is refused. A study's sub-run records carry its digest, and `study e2e --resume` over a
 * changed dataset of a YAML case is refused the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintDigest, readDataFingerprint } from '../../src/data/fingerprint.js';
import { polytask, withTempDir, type Ran } from './helpers.js';

/** A small two-class table: a clear signal in column a. */
function table(rows = 60): string {
  const lines = ['a,b,y'];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 2) * 2 + (i % 7) / 10},${(i % 5) / 5},${i % 2}`);
  return `${lines.join('\n')}\n`;
}

const TRAIN = ['--data', 'csv', '--set', 'data.label=y', '--epochs', '1', '--no-report', '-q', '--json'];

/** Every file under a run directory with its size and mtime: what "nothing written" compares. */
function snapshot(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map(String)
    .sort()
    .map((f) => {
      const st = statSync(join(dir, f));
      return `${f}:${st.isFile() ? st.size : 'dir'}:${st.mtimeMs}`;
    });
}

async function trained(dir: string, runsDir: string, env: Record<string, string> = {}): Promise<string> {
  const csv = join(dir, 't.csv');
  writeFileSync(csv, table());
  const r = await polytask(['train', ...TRAIN, '--set', `data.file=${csv}`], { runsDir, env });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { dir: string }).dir;
}

function assertRefused(r: Ran, file: string, why: RegExp): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`polytask: --resume refused: data file ${file} changed: `), lines[0]);
  assert.match(lines[0]!, why);
}

test('train --resume after one byte of the CSV changed is refused, naming the file; nothing is written', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const run = await trained(dir, runsDir);
    const csv = join(dir, 't.csv');
    const fp = readDataFingerprint(run)!;
    assert.equal(fp.mode, 'sha256');
    assert.deepEqual(
      fp.files.map((f) => [f.path, f.size]),
      [[csv, table().length]],
    );
    const text = table();
    writeFileSync(csv, text.replace('0.1,', '0.2,')); // one byte
    assert.equal(readFileSync(csv, 'utf8').length, text.length);
    const before = snapshot(run);
    const r = await polytask(['train', '--resume', run, '--epochs', '2', '--no-report', '-q'], { runsDir });
    assertRefused(
      r,
      csv,
      /its contents differ \(sha256\) since run .*train.*; resuming would mix two versions of the data/,
    );
    assert.deepEqual(snapshot(run), before);
  }));

test('hash mode: a touch that leaves the contents alone is accepted', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const run = await trained(dir, runsDir);
    utimesSync(join(dir, 't.csv'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const r = await polytask(['train', '--resume', run, '--epochs', '2', '--no-report', '-q', '--json'], { runsDir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'completed');
  }));

test('size+mtime mode (over POLYTASK_FINGERPRINT_HASH_LIMIT): a size change is refused', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const env = { POLYTASK_FINGERPRINT_HASH_LIMIT: '10' };
    const run = await trained(dir, runsDir, env);
    const csv = join(dir, 't.csv');
    const fp = readDataFingerprint(run)!;
    assert.equal(fp.mode, 'size+mtime');
    assert.equal(fp.files[0]!.sha256, undefined);
    const { mtime } = statSync(csv);
    appendFileSync(csv, '1.5,0.5,1\n');
    utimesSync(csv, mtime, mtime); // the size alone tells
    // recomputed in the stored mode, even with the threshold back at its default
    const r = await polytask(['train', '--resume', run, '--epochs', '2', '--no-report', '-q'], { runsDir });
    assertRefused(r, csv, new RegExp(`its size changed from ${table().length} to ${table().length + 10} bytes`));
  }));

/** A YAML case over two CSVs and a rules module, written into `dir`. */
function yamlCase(dir: string): string {
  const rules = join(dir, 'rules.mjs');
  const root = new URL('../../src/index.js', import.meta.url).href;
  writeFileSync(
    rules,
    `import { tensor } from '${root}';\nconst M = tensor([[1, 0], [0, 1]]);\nexport const same = (p) => p.matmul(M);\n`,
  );
  writeFileSync(join(dir, 'sub.csv'), table(80));
  writeFileSync(join(dir, 'xy.csv'), table(120));
  const file = join(dir, 'case.yaml');
  writeFileSync(
    file,
    [
      'name: tiny',
      `data: { source: csv, file: ${join(dir, 'xy.csv')}, label: y }`,
      'stages:',
      `  - { name: classify, data: { source: csv, file: ${join(dir, 'sub.csv')}, label: y }, model: { hidden: [4] } }`,
      '  - name: same',
      '    rule: { module: rules.mjs, export: same, output: { kind: classes, n: 2 }, differentiable: true }',
      'endToEnd: { hidden: [4] }',
    ].join('\n'),
  );
  return file;
}

const TINY_E2E = [
  '--sizes',
  '8,16,32,64',
  '--seeds',
  '1',
  '--set',
  'testExamples=20',
  '--set',
  'subtaskExamples=40',
  '--set',
  'bootstrap=5',
  '--set',
  'training.maxSteps=5',
  '--set',
  'training.minSteps=2',
  '--no-report',
  '-q',
  '--json',
];

test('study e2e: sub-run records carry the data digest; --resume over a changed CSV is refused', () =>
  withTempDir(async (dir) => {
    const runsDir = join(dir, 'runs');
    const file = yamlCase(dir);
    const r = await polytask(['study', 'e2e', '--case', file, ...TINY_E2E], { runsDir });
    assert.equal(r.code, 0, r.stderr);
    const run = (JSON.parse(r.stdout) as { dir: string }).dir;
    const fp = readDataFingerprint(run)!;
    assert.deepEqual(
      fp.files.map((f) => f.path),
      [file, join(dir, 'rules.mjs'), join(dir, 'sub.csv'), join(dir, 'xy.csv')].sort(),
    );
    const records = readdirSync(join(run, 'subruns', 'e2e')).filter((n) => n.endsWith('.json'));
    assert.equal(records.length, 1 + 4 * 2);
    for (const name of records) {
      const record = JSON.parse(readFileSync(join(run, 'subruns', 'e2e', name), 'utf8')) as { data?: string };
      assert.equal(record.data, fingerprintDigest(fp), name);
    }
    // unchanged data: the resume takes every recorded sub-run
    const again = await polytask(['study', 'e2e', '--resume', run, '--no-report', '-q', '--json'], { runsDir });
    assert.equal(again.code, 0, again.stderr);
    const before = snapshot(run);
    appendFileSync(join(dir, 'sub.csv'), '0.5,0.5,1\n');
    const refused = await polytask(['study', 'e2e', '--resume', run, '--no-report', '-q'], { runsDir });
    assertRefused(
      refused,
      join(dir, 'sub.csv'),
      new RegExp(`its size changed from ${table(80).length} to ${table(80).length + 10} bytes`),
    );
    assert.deepEqual(snapshot(run), before);
  }));

test('study mtl: a task description whose input is a data source runs, and --resume over its changed labels CSV is refused', () =>
  withTempDir(async (dir) => {
    writeFileSync(
      join(dir, 'tasks.yaml'),
      'input: { source: mnist }\ntasks:\n  digit:\n    kind: multiclass\n    classes: 10\n    targets: { file: labels.csv, column: digit }\n',
    );
    const labels = ['digit', ...Array.from({ length: 10_000 }, (_, i) => String(i % 10))];
    writeFileSync(join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
    const runs = join(dir, 'runs');
    const args = ['--epochs', '1', '--methods', 'ew', '--set', 'train=300', '--set', 'test=100'];
    const flags = ['--set', 'trunk.width=2', '--set', 'capacityCheck=false', '--set', 'affinity.every=0'];
    const r = await polytask(
      ['study', 'mtl', '--dataset', join(dir, 'tasks.yaml'), ...args, ...flags, '--no-report', '-q', '--json'],
      { runsDir: runs },
    );
    assert.equal(r.code, 0, r.stderr);
    const id = (JSON.parse(r.stdout) as { run: string }).run;
    labels[1] = '1';
    writeFileSync(join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
    const again = await polytask(['study', 'mtl', '--resume', id, '--no-report'], { runsDir: runs });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /--resume refused: data file .*labels\.csv changed/);
  }));
