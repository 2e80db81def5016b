/**
 * Keys a user names (CSV headers, class names, task names, state-dict names, keys in run files)
 * that collide with JavaScript's object model — `__proto__`, `constructor`, `toString`,
 * `hasOwnProperty`, `valueOf` — are plain data everywhere: read, counted, stored and written back
 * as given, with `Object.prototype` never touched; or refused in one line where the issue says so
 * (`__proto__`, `constructor`, `prototype` as task names). In-process checks first (so the
 * prototype can be inspected), then the real CLI: a table with such headers and labels trains and
 * predicts, and a multi-task study over tasks named `toString` and `hasOwnProperty` runs to its
 * verdict and report.
 *
 * @example
 * node scripts/run-tests.mjs dist/test/core/user-keys.test.js
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsvRecords } from 'csv-parse/sync';
import { nullRecord, own, recordFrom } from '../../src/core/safe-keys.js';
import { encodeNpy } from '../../src/data/npy.js';
import { readTable } from '../../src/data/table/read.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { setOwn } from '../../src/io/untrusted.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { LossTally } from '../../src/train/loss-tally.js';
import { unpackState } from '../../src/train/state-codec.js';
import { polytask } from '../cli/helpers.js';
import { plain } from '../helpers/plain.js';

const HOSTILE = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Object.prototype as it was: no new member, the usual ones in place. */
function assertPrototypeUntouched(): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTO_NAMES);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(typeof ({} as Record<string, unknown>).toString, 'function');
}

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-keys-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** A table whose feature headers and class names are the hostile keys; class c is where feature c is large. */
function hostileTable(rows: number): string {
  const classes = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  const lines = [`${HOSTILE.join(',')},label`];
  for (let i = 0; i < rows; i++) {
    const c = i % classes.length;
    const cells = HOSTILE.map((_, j) => (j === c ? 3 + ((i * 7) % 5) / 10 : ((i * 3 + j) % 7) / 10));
    lines.push(`${cells.join(',')},${classes[c]}`);
  }
  return `${lines.join('\n')}\n`;
}

test('records built from user keys (nullRecord, recordFrom) hold every hostile key as data', () => {
  const built = recordFrom(HOSTILE.map((k, i) => [k, i]));
  assert.equal(Object.getPrototypeOf(built), null);
  assert.deepEqual(Object.keys(built), HOSTILE);
  HOSTILE.forEach((k, i) => assert.equal(built[k], i));
  assert.equal(recordFrom<number>([])['toString'], undefined, 'a missing key reads no inherited member');
  const counted = nullRecord<number>();
  for (const k of [...HOSTILE, 'toString']) counted[k] = (counted[k] ?? 0) + 1;
  assert.equal(counted['toString'], 2);
  assert.equal(JSON.stringify(recordFrom([['__proto__', 1]])), '{"__proto__":1}');
  assertPrototypeUntouched();
});

test('CSV headers and class names that name the object model are plain data', () =>
  withDir(async (dir) => {
    writeFileSync(join(dir, 't.csv'), hostileTable(40));
    const t = await readTable(join(dir, 't.csv'), { label: 'label' });
    assert.deepEqual(t.featureNames, HOSTILE);
    assert.deepEqual([...t.classNames!].sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    // row 2 is class 'toString' (index 2 of the file's classes): its third feature is the large one
    assert.equal(t.classNames![t.labels![2]!], 'toString');
    assert.ok(t.features[2 * HOSTILE.length + 2]! >= 3);
    assertPrototypeUntouched();
  }));

test('task names, state-dict names and keys in run files are plain data', () => {
  const tally = new LossTally();
  tally.add(3, { toString: 1, hasOwnProperty: 2 });
  tally.add(5, { toString: 3, hasOwnProperty: 2 });
  const { losses } = tally.summary();
  assert.equal(own(losses, 'toString'), 2);
  assert.equal(own(losses, 'hasOwnProperty'), 2);
  assert.equal(own(losses, 'valueOf'), undefined);

  const named: Record<string, Tensor> = {};
  HOSTILE.forEach((k, i) => setOwn(named, k, tensor([i, i + 0.5])));
  const { tensors } = decodeSafetensors(encodeSafetensors(named), 'hostile.safetensors');
  assert.deepEqual(Object.keys(tensors).sort(), [...HOSTILE].sort());
  HOSTILE.forEach((k, i) => assert.deepEqual(Array.from(own(tensors, k)!.data), [i, i + 0.5], k));
  assert.equal(Object.getPrototypeOf(tensors), null, 'a record keyed by names has no prototype');

  const state = unpackState(
    JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "toString": 3}'),
    {},
  ) as Record<string, unknown>;
  assert.deepEqual(plain(own(state, '__proto__')), { polluted: 1 });
  assert.equal(own(state, 'constructor'), 2);
  assert.equal(own(state, 'toString'), 3);
  assert.equal((state as { polluted?: unknown }).polluted, undefined);
  assertPrototypeUntouched();
});

test(
  'through the CLI: a table with such headers and classes trains and predicts; tasks named toString and hasOwnProperty run a study',
  { timeout: 600_000 },
  () =>
    withDir(async (dir) => {
      const runsDir = join(dir, 'runs');
      writeFileSync(join(dir, 't.csv'), hostileTable(120));
      const trained = await polytask(
        [
          'train',
          '--data',
          'csv',
          '--set',
          `data.file=${join(dir, 't.csv')}`,
          '--set',
          'data.label=label',
          '--epochs',
          '20',
          '--no-report',
          '-q',
          '--json',
        ],
        { runsDir },
      );
      assert.equal(trained.code, 0, trained.stderr);
      const run = (JSON.parse(trained.stdout) as { dir: string; accuracy: number }).dir;
      // one example of each class, each with its own feature large
      const inputs = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map((_, c) =>
        HOSTILE.map((__, j) => (j === c ? 3.2 : 0.1)).join(','),
      );
      writeFileSync(join(dir, 'in.csv'), `${HOSTILE.join(',')}\n${inputs.join('\n')}\n`);
      const out = join(dir, 'p.csv');
      const predicted = await polytask(['predict', run, '-i', join(dir, 'in.csv'), '-o', out, '-q'], { runsDir });
      assert.equal(predicted.code, 0, predicted.stderr);
      const rows = parseCsvRecords(readFileSync(out, 'utf8')) as string[][];
      assert.deepEqual(rows[0], ['index', 'class', 'name', 'probability']);
      assert.deepEqual(
        rows.slice(1).map((r) => r[2]),
        ['__proto__', 'constructor', 'toString', 'hasOwnProperty'],
        'each example predicted as the class its large feature names',
      );

      // a multi-task study over tasks named after Object.prototype members
      const n = 60;
      writeFileSync(
        join(dir, 'x.npy'),
        encodeNpy(
          new Tensor(
            Float32Array.from({ length: n * 4 }, (_, i) => ((i * 7) % 13) / 13),
            [n, 4],
          ),
        ),
      );
      writeFileSync(
        join(dir, 'a.npy'),
        encodeNpy(
          new Tensor(
            Int32Array.from({ length: n }, (_, i) => i % 3),
            [n],
          ),
        ),
      );
      writeFileSync(
        join(dir, 'b.npy'),
        encodeNpy(
          new Tensor(
            Int32Array.from({ length: n }, (_, i) => i % 2),
            [n],
          ),
        ),
      );
      writeFileSync(
        join(dir, 'tasks.yaml'),
        `input: { file: ${join(dir, 'x.npy')} }\ntasks:\n  toString: { kind: multiclass, classes: 3, targets: { file: ${join(dir, 'a.npy')} } }\n  hasOwnProperty: { kind: multiclass, classes: 2, targets: { file: ${join(dir, 'b.npy')} } }\n`,
      );
      writeFileSync(join(dir, 'study.yaml'), `dataset: ${join(dir, 'tasks.yaml')}\nmethods: [ew]\nepochs: 1\n`);
      const study = await polytask(['study', 'mtl', '-c', join(dir, 'study.yaml'), '-q', '--json'], { runsDir });
      assert.equal(study.code, 0, study.stderr);
      const result = JSON.parse(study.stdout) as { verdict: { reasons: string[] }; report: string | null };
      const balance = result.verdict.reasons.find((r) => r.includes('balanced labels'));
      assert.match(balance ?? '', /ok balanced labels = 1:/, `labels of both tasks counted: ${balance}`);
      assert.ok(result.report !== null && readFileSync(result.report, 'utf8').includes('toString'));
      // a task named after the object model's own keys is refused in one line
      writeFileSync(
        join(dir, 'bad.yaml'),
        `input: { file: ${join(dir, 'x.npy')} }\ntasks:\n  constructor: { kind: multiclass, classes: 3, targets: { file: ${join(dir, 'a.npy')} } }\n`,
      );
      writeFileSync(join(dir, 'bad-study.yaml'), `dataset: ${join(dir, 'bad.yaml')}\nmethods: [ew]\nepochs: 1\n`);
      const refused = await polytask(['study', 'mtl', '-c', join(dir, 'bad-study.yaml'), '-q'], { runsDir });
      assert.notEqual(refused.code, 0);
      assert.match(
        refused.stderr.trim(),
        /^polytask: .*bad\.yaml: tasks\.constructor: the key "constructor" is not allowed/,
      );
      assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    }),
);
