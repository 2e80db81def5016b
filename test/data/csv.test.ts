import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, ValueError } from '../../src/core/errors.js';
import { parseCsv, readCsv, tableToTensor } from '../../src/data/csv.js';
import { fuzzParser, returnsOrPolytaskError } from '../io/fuzz.js';

test('columns by name, numbers in every notation, quoting, CRLF, BOM, blank lines', () => {
  const text = '\uFEFFid, "x" ,y\r\n1,0.5,-2e-3\r\n\r\n2,"3",+.25\r\n3,nan,-inf\r\n4,inf,1E+2\r\n';
  const t = parseCsv(text, 'a.csv');
  assert.deepEqual(t.names, ['id', 'x', 'y']);
  assert.equal(t.rows, 4);
  assert.deepEqual(Array.from(t.columns.id!), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(t.columns.x!), [0.5, 3, NaN, Infinity]);
  assert.deepEqual(Array.from(t.columns.y!), [-0.002, 0.25, -Infinity, 100]);
  assert.ok(t.columns.y instanceof Float64Array);
});

test('other delimiters, odd column names, a header alone', () => {
  assert.deepEqual(Array.from(parseCsv('a;b\n1;2\n', 's.csv', { delimiter: ';' }).columns.b!), [2]);
  assert.deepEqual(Array.from(parseCsv('a\tb\n1\t2\n', 't.tsv', { delimiter: '\t' }).columns.a!), [1]);
  const odd = parseCsv('__proto__,constructor\n1,2\n');
  assert.ok(Object.hasOwn(odd.columns, '__proto__'));
  assert.deepEqual(Array.from(odd.columns.__proto__!), [1]);
  const empty = parseCsv('a,b\n');
  assert.equal(empty.rows, 0);
  assert.equal(empty.columns.a!.length, 0);
});

test('missing values: NaN only when allowed', () => {
  const text = 'a,b\n1,\n,2\n';
  const t = parseCsv(text, 'm.csv', { allowMissing: true });
  assert.deepEqual(Array.from(t.columns.a!), [1, NaN]);
  assert.deepEqual(Array.from(t.columns.b!), [NaN, 2]);
  assert.throws(
    () => parseCsv(text, 'm.csv'),
    /^FormatError: m\.csv: row 1 \(line 2\), column "b": empty cell \(pass allowMissing to read it as NaN\)$/m,
  );
});

test('tableToTensor stacks the chosen columns as float32 [rows, k]', () => {
  const t = parseCsv('a,b,c\n1,2,3\n4,5,6\n');
  assert.deepEqual(tableToTensor(t).toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(tableToTensor(t, ['c', 'a']).toArray(), [
    [3, 1],
    [6, 4],
  ]);
  assert.throws(() => tableToTensor(t, ['z']), ValueError);
  assert.throws(() => tableToTensor(t, ['z']), /no column "z" \(columns: a, b, c\)/);
});

test('readCsv reads from disk and names the path in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-csv-'));
  try {
    const p = join(dir, 'data.csv');
    writeFileSync(p, 'a,b\n1,2\n3,x\n');
    assert.throws(
      () => readCsv(p),
      (err: unknown) => {
        assert.ok(err instanceof FormatError);
        assert.equal(err.message, `${p}: row 2 (line 3), column "b": expected a number, got "x"`);
        return true;
      },
    );
    writeFileSync(p, 'a,b\n1,2\n');
    assert.equal(readCsv(p).rows, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad files: each a FormatError naming the file, row and column', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty file', '', /file is empty \(expected a header row of column names\)/],
    ['only blank lines', '\n\n', /file is empty/],
    ['ragged short row', 'a,b,c\n1,2,3\n4,5\n', /row 2 \(line 3\) has 2 fields, the header has 3/],
    ['ragged long row', 'a,b\n1,2,3\n', /row 1 \(line 2\) has 3 fields, the header has 2/],
    ['text cell', 'a,b\n1,two\n', /row 1 \(line 2\), column "b": expected a number, got "two"/],
    ['hex cell', 'a\n0x10\n', /column "a": expected a number, got "0x10"/],
    ['two numbers in a cell', 'a\n1 2\n', /expected a number, got "1 2"/],
    ['thousands separator', 'a\n"1,000"\n', /expected a number, got "1,000"/],
    ['duplicate header', 'a,b,a\n1,2,3\n', /header: column name "a" appears twice/],
    ['empty header name', 'a,,c\n1,2,3\n', /header: column 2 has an empty name/],
    ['unclosed quote', 'a,b\n"1,2\n', /not valid CSV \(Quote Not Closed/],
  ];
  for (const [label, text, pattern] of cases) {
    assert.throws(
      () => parseCsv(text, 'bad.csv'),
      (err: unknown) => {
        assert.ok(err instanceof FormatError, `${label}: ${String(err)}`);
        assert.match(err.message, /^bad\.csv: /, label);
        assert.match(err.message, pattern, label);
        return true;
      },
    );
  }
  assert.throws(() => parseCsv('a\n1\n', 'x.csv', { delimiter: '' }), ValueError);
});

test('corrupted and random CSV never escapes as other errors', { timeout: 30_000 }, () => {
  const valid = new TextEncoder().encode('id,"x",y\n1,0.5,-2e-3\n2,"3",+.25\n3,nan,\n');
  fuzzParser((b) => parseCsv(b, 'fuzz.csv', { allowMissing: true }), [valid], 400);
  fc.assert(
    fc.property(
      fc.string({ maxLength: 80, unit: fc.constantFrom('a', '1', '.', ',', '"', '\n', '\r', ' ', 'e', '-', '\uFEFF') }),
      (text) => {
        returnsOrPolytaskError(() => parseCsv(text, 'fuzz.csv'));
      },
    ),
    { numRuns: 500, seed: 3 },
  );
});
