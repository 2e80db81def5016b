/**
 * Tables with named columns (src/data/table): CSV, TSV and JSONL read to the same numbers;
 * quoting, a byte-order mark and CRLF line ends; missing-label tokens; declared and inferred
 * classes; feature selection by name; every bad cell an error naming file, row, line and column.
 * Properties (fast-check): reading by name does not depend on the file's column order, and random
 * bytes give a clean error (a PolytaskError), never a crash or a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PolytaskError } from '../../src/core/errors.js';
import { tablePool } from '../../src/data/sources/table.js';
import { readTable, readTableColumns, tableFormat, type TableSpec } from '../../src/data/table/index.js';

const dir = mkdtempSync(join(tmpdir(), 'polytask-table-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(name: string, text: string | Uint8Array): string {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, text);
  return p;
}

const IRIS_LIKE = 'a,b,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,versicolor\n';

test('CSV, TSV and JSONL give the same numbers, labels and class names', async () => {
  const csv = await readTable(file('t.csv', IRIS_LIKE), { label: 'species' });
  const tsv = await readTable(file('t.tsv', IRIS_LIKE.replace(/,/g, '\t')), { label: 'species' });
  const jsonl = await readTable(
    file(
      't.jsonl',
      [
        { a: 1, b: 2, species: 'setosa' },
        { a: 3, b: 4, species: 'virginica' },
        { a: 5, b: '6', species: 'setosa' },
        { a: 7, b: 8, species: 'versicolor' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    ),
    { label: 'species' },
  );
  for (const t of [csv, tsv, jsonl]) {
    assert.deepEqual([...t.features], [1, 2, 3, 4, 5, 6, 7, 8], t.format);
    assert.deepEqual(t.featureNames, ['a', 'b']);
    // undeclared names: sorted, so the class of a name does not depend on which row comes first
    assert.deepEqual(t.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.deepEqual([...t.labels!], [0, 2, 0, 1]);
    assert.deepEqual([...t.rowNumbers], [1, 2, 3, 4]);
  }
  assert.deepEqual([csv.format, tsv.format, jsonl.format], ['csv', 'tsv', 'jsonl']);
});

test('quoted fields, a byte-order mark and CRLF line ends', async () => {
  const text = '\uFEFF"a","b, with comma",y\r\n"1.5",2,"class ""one"""\r\n3,"4",plain\r\n';
  const t = await readTable(file('q.csv', text), { label: 'y' });
  assert.deepEqual(t.featureNames, ['a', 'b, with comma'], 'the BOM is not part of the first name');
  assert.deepEqual([...t.features], [1.5, 2, 3, 4]);
  assert.deepEqual(t.classNames, ['class "one"', 'plain']);
  const bomJsonl = await readTable(file('b.jsonl', '\uFEFF{"x":1,"y":0}\r\n{"x":2,"y":1}\r\n'), { label: 'y' });
  assert.deepEqual([...bomJsonl.features], [1, 2]);
  assert.deepEqual(bomJsonl.classNames, ['0', '1']);
});

test('missing-label tokens drop the row and are counted; they are configurable', async () => {
  const text = 'x,y\n1,0\n2,?\n3,\n4,NA\n5,NaN\n6,1\n7,none\n';
  await assert.rejects(
    readTable(file('m.csv', text), { label: 'y' }),
    /row 7 \(line 8\), column "y"|mixes class numbers/,
    '"none" is not a default missing token',
  );
  const t = await readTable(file('m.csv', text), { label: 'y', missing: ['?', '', 'NA', 'NaN', 'none'] });
  assert.equal(t.rows, 2);
  assert.equal(t.missingLabels, 5);
  assert.deepEqual([...t.features], [1, 6]);
  assert.deepEqual([...t.rowNumbers], [1, 6]);
  assert.deepEqual([...t.labels!], [0, 1]);
  const strict = await readTable(file('m2.csv', 'x,y\n1,0\n2,NA\n3,1\n'), { label: 'y', missing: [] }).catch(
    (e: Error) => e,
  );
  assert.match(String(strict), /mixes class numbers \(row 1: 0\) and class names \(row 2: "NA"\)/);
});

test('declared class names fix the class order; a label outside them names file, row and column', async () => {
  const p = file('d.csv', 'x,y\n1,dog\n2,cat\n3,dog\n');
  const t = await readTable(p, { label: 'y', classes: { names: ['dog', 'cat', 'bird'] } });
  assert.deepEqual([...t.labels!], [0, 1, 0]);
  assert.deepEqual(t.classNames, ['dog', 'cat', 'bird']);
  await assert.rejects(
    readTable(p, { label: 'y', classes: { names: ['dog', 'bird'] } }),
    (e: Error) =>
      e instanceof PolytaskError &&
      /d\.csv: row 2 \(line 3\), column "y": label "cat" is not one of the declared classes \(dog, bird\)$/.test(
        e.message,
      ),
  );
});

test('a class count bounds integer labels: a 2-class task with a label 100 is an error, not a 101-class head', async () => {
  const p = file('c.csv', 'x,y\n1,0\n2,1\n3,100\n');
  await assert.rejects(
    readTable(p, { label: 'y', classes: { count: 2 } }),
    /c\.csv: row 3 \(line 4\), column "y": label 100 is outside the declared classes 0\.\.1 \(numClasses: 2\)$/,
  );
  const ok = await readTable(file('c2.csv', 'x,y\n1,0\n2,1\n'), { label: 'y', classes: { count: 3 } });
  assert.deepEqual(ok.classNames, ['0', '1', '2']);
});

test('undeclared integer labels are class indices 0..max; fractions and negatives are errors naming the row', async () => {
  const t = await readTable(file('i.csv', 'x,y\n1,2\n2,0\n3,2\n'), { label: 'y' });
  assert.deepEqual([...t.labels!], [2, 0, 2]);
  assert.deepEqual(t.classNames, ['0', '1', '2']);
  await assert.rejects(
    readTable(file('f.csv', 'x,y\n1,0\n2,2.5\n'), { label: 'y' }),
    /f\.csv: row 2 \(line 3\), column "y": label 2\.5 is not a class index/,
  );
  await assert.rejects(
    readTable(file('n.csv', 'x,y\n1,0\n2,-1\n'), { label: 'y' }),
    /n\.csv: row 2 \(line 3\), column "y": label -1 is not a class index/,
  );
});

test('feature selection by name: default all but label and ignored, an explicit order, unknown names refused', async () => {
  const p = file('s.csv', 'id,b,a,y,c\n10,2,1,0,3\n11,5,4,1,6\n');
  const all = await readTable(p, { label: 'y', ignore: ['id'] });
  assert.deepEqual(all.featureNames, ['b', 'a', 'c']);
  assert.deepEqual([...all.features], [2, 1, 3, 5, 4, 6]);
  const chosen = await readTable(p, { label: 'y', features: ['c', 'a'] });
  assert.deepEqual([...chosen.features], [3, 1, 6, 4]);
  await assert.rejects(
    readTable(p, { label: 'y', features: ['a', 'zz'] }),
    /s\.csv: no feature column "zz" \(5 columns/,
  );
  await assert.rejects(readTable(p, { label: 'y', features: ['a', 'y'] }), /"y" is the label column, not a feature/);
  await assert.rejects(readTable(p, { label: 'nope' }), /s\.csv: no label column "nope"/);
  await assert.rejects(readTable(p, { label: 'y', ignore: ['q'] }), /no ignored column "q"/);
  // no label: predict's inputs
  const inputs = await readTable(p, { features: ['a', 'b'] });
  assert.equal(inputs.labels, undefined);
  assert.deepEqual([...inputs.features], [1, 2, 4, 5]);
});

test('feature cells must be finite numbers: text, empty, NaN and Inf name file, row, line and column', async () => {
  const cases: [string, RegExp][] = [
    ['1,hello,0', /row 2 \(line 3\), column "b" holds text \("hello"\); feature columns must be numbers/],
    ['1,,0', /row 2 \(line 3\), column "b": empty cell/],
    ['1,NaN,0', /row 2 \(line 3\), column "b": NaN is not a finite number/],
    ['1,-inf,0', /row 2 \(line 3\), column "b": -inf is not a finite number/],
    ['1,1e999,0', /row 2 \(line 3\), column "b": 1e999 is not a finite number/],
    ['1,2', /row 2 \(line 3\) has 2 fields, the header has 3/],
  ];
  for (const [row, pattern] of cases) {
    const p = file('bad.csv', `a,b,y\n1,2,0\n${row}\n3,4,1\n`);
    await assert.rejects(readTable(p, { label: 'y' }), (e: Error) => {
      assert.ok(e instanceof PolytaskError, `${row}: ${e.message}`);
      assert.match(e.message, pattern, row);
      assert.ok(e.message.startsWith(p), e.message);
      return true;
    });
  }
  await assert.rejects(
    readTable(file('bad.jsonl', '{"a":1,"y":0}\n{"a":[1],"y":1}\n'), { label: 'y' }),
    /line 2, key "a": expected a number, a string or null, got an array/,
  );
  await assert.rejects(
    readTable(file('bad2.jsonl', '{"a":1,"y":0}\n{"a":2,"y":1,"z":3}\n'), { label: 'y' }),
    /line 2: key "z" is not a column of the first line/,
  );
  await assert.rejects(
    readTable(file('bad3.jsonl', '{"a":1,"y":0}\n[1,2]\n'), { label: 'y' }),
    /line 2: expected a JSON object/,
  );
  await assert.rejects(readTable(file('empty.csv', ''), { label: 'y' }), /file is empty/);
  await assert.rejects(readTable(join(dir, 'absent.csv'), { label: 'y' }), { code: 'ENOENT' });
  await assert.rejects(readTable(dir, { label: 'y' }), /: is not a file$/);
});

test('the format comes from the extension; a delimiter replaces the separator', async () => {
  assert.deepEqual(tableFormat('x.TSV'), { format: 'tsv', delimiter: '\t' });
  assert.deepEqual(tableFormat('x.ndjson'), { format: 'jsonl', delimiter: ',' });
  assert.deepEqual(tableFormat('x.txt', ';'), { format: 'csv', delimiter: ';' });
  const t = await readTable(file('semi.csv', 'a;y\n1,5;0\n2;1\n'), { label: 'y', delimiter: ';' }).catch(
    (e: Error) => e,
  );
  assert.match(String(t), /holds text \("1,5"\)/);
  const ok = await readTable(file('semi2.csv', 'a;y\n1.5;0\n2;1\n'), { label: 'y', delimiter: ';' });
  assert.deepEqual([...ok.features], [1.5, 2]);
});

test('a table larger than the memory budget is refused while streaming, naming the budget', async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => `${i},${i % 2}`).join('\n');
  await assert.rejects(
    readTable(file('big.csv', `x,y\n${rows}\n`), { label: 'y' }, { maxInflateBytes: 1 << 20, memoryBudgetBytes: 8192 }),
    /big\.csv: the table's numeric features would take .* more than the memory budget/,
  );
});

test('past the memory budget a source spills the features to an unnamed scratch file and reads back only chosen rows', async () => {
  const text = `x,z,y\n${Array.from({ length: 3000 }, (_, i) => `${i},${(i * 3) / 4},${i % 3}`).join('\n')}\n`;
  const csv = file('spill.csv', text);
  const whole = await readTable(csv, { label: 'y' });
  const small = { maxInflateBytes: 1 << 20, memoryBudgetBytes: 8192 };
  const spillsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('polytask-spill-')).length;
  const spilled = await readTable(csv, { label: 'y' }, small, { spill: true });
  assert.ok(!(spilled.features instanceof Float32Array), 'the features went to the scratch file');
  assert.equal(spilled.features.length, 6000);
  assert.deepEqual([...spilled.labels!], [...whole.labels!]);
  // the file has no name: nothing is left in the temporary folder
  assert.equal(readdirSync(tmpdir()).filter((f) => f.startsWith('polytask-spill-')).length, spillsBefore);

  const budget = process.env.POLYTASK_MEMORY_BUDGET;
  process.env.POLYTASK_MEMORY_BUDGET = '8K';
  try {
    const pool = await tablePool({ source: 'table', file: csv, label: 'y', testFraction: 0.2 });
    const picked = [2999, 0, 1500, 1501, 7];
    const rows = await pool.set.rows(picked);
    assert.deepEqual(
      [...rows],
      picked.flatMap((i) => [i, (i * 3) / 4]),
    );
    assert.deepEqual([...pool.set.labels.slice(0, 4)], [0, 1, 2, 0]);
    // the selection itself is still held to the budget
    await assert.rejects(async () => pool.set.rows(Array.from({ length: 3000 }, (_, i) => i)), /memory budget/);
  } finally {
    if (budget === undefined) delete process.env.POLYTASK_MEMORY_BUDGET;
    else process.env.POLYTASK_MEMORY_BUDGET = budget;
  }
});

test('columns with their text kept: numbers where every cell is one, NaN for missing, text otherwise', async () => {
  const p = file('cols.tsv', 'id\ttext\tstars\n1\tGreat, "really"\t5\n2\tmeh\tNA\n3\t42\t1\n');
  const t = await readTableColumns(p, ['text', 'stars']);
  assert.deepEqual(t.names, ['text', 'stars']);
  assert.equal(t.rows, 3);
  assert.deepEqual(t.columns.text, { kind: 'text', values: ['Great, "really"', 'meh', '42'] });
  assert.equal(t.columns.stars!.kind, 'number');
  assert.deepEqual([...(t.columns.stars!.values as Float64Array)], [5, NaN, 1]);
  assert.deepEqual((await readTableColumns(p)).names, ['id', 'text', 'stars']);
  await assert.rejects(readTableColumns(p, ['nope']), /cols\.tsv: no column "nope"/);
});

// ---- properties ---------------------------------------------------------------------------------

/** A table of `rows` × `cols` small numbers plus a label column, as CSV with the columns in `order`. */
function csvText(values: number[][], labels: number[], names: string[], order: number[]): string {
  const header = order.map((c) => (c === names.length ? 'label' : names[c]!)).join(',');
  const lines = values.map((row, r) =>
    order.map((c) => (c === names.length ? String(labels[r]) : String(row[c]))).join(','),
  );
  return `${header}\n${lines.join('\n')}\n`;
}

test('property: reading by name is invariant to the column order of the file', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 5 }).chain((cols) =>
        fc.record({
          cols: fc.constant(cols),
          values: fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: cols, maxLength: cols }), {
            minLength: 1,
            maxLength: 8,
          }),
          perm: fc.shuffledSubarray(
            Array.from({ length: cols + 1 }, (_, i) => i),
            { minLength: cols + 1, maxLength: cols + 1 },
          ),
        }),
      ),
      async ({ cols, values, perm }) => {
        const names = Array.from({ length: cols }, (_, i) => `f${i}`);
        const labels = values.map((_, r) => r % 2);
        const identity = Array.from({ length: cols + 1 }, (_, i) => i);
        const spec: TableSpec = { label: 'label', features: names };
        const a = await readTable(file('p.csv', csvText(values, labels, names, identity)), spec);
        const b = await readTable(file('p.csv', csvText(values, labels, names, perm)), spec);
        assert.deepEqual([...b.features], [...a.features]);
        assert.deepEqual([...b.labels!], [...a.labels!]);
        assert.deepEqual([...a.features], values.flat());
      },
    ),
    { numRuns: 60 },
  );
});

test('property: random bytes and corrupted tables give a clean error or a table, never a crash', async () => {
  const good = Buffer.from(IRIS_LIKE);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        fc
          .array(fc.record({ at: fc.nat(good.length - 1), byte: fc.integer({ min: 0, max: 255 }) }), {
            minLength: 1,
            maxLength: 6,
          })
          .map((edits) => {
            const b = Uint8Array.from(good);
            for (const e of edits) b[e.at] = e.byte;
            return b;
          }),
      ),
      fc.constantFrom('x.csv', 'x.tsv', 'x.jsonl'),
      async (bytes, name) => {
        try {
          const t = await readTable(file(name, bytes), { label: 'species' });
          assert.equal(t.features.length, t.rows * t.featureNames.length);
          assert.ok(t.features.every(Number.isFinite));
        } catch (e) {
          assert.ok(e instanceof PolytaskError, `not a clean error: ${(e as Error).stack}`);
          assert.ok(!(e as Error).message.includes('\n'), 'one line');
        }
      },
    ),
    { numRuns: 300 },
  );
});
