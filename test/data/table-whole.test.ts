import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '../../src/core/errors.js';
import { openTable, parseTableText, readTableCells, type TableRecord } from '../../src/data/table/index.js';
import { readExamples } from '../../src/cli/input-file.js';

async function streamed(file: string): Promise<{ header: string[]; records: TableRecord[] }> {
  const t = await openTable(file);
  const records: TableRecord[] = [];
  for await (const r of t.records) records.push(r);
  return { header: t.header, records };
}

test("readTableCells reads CSV, TSV and JSONL whole, with the streaming reader's header, rows and lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-whole-'));
  try {
    const files = {
      'a.csv': '\uFEFFx,"y, quoted",z\r\n1, 2 ,three\r\n\r\n4,5,6\r\n',
      'a.tsv': 'x\ty\tz\n1\t"2"\tthree\n4\t5\t6\n',
      'a.jsonl': '{"x": 1, "y": "2", "z": "three"}\n\n{"x": 4, "y": 5, "z": null}\n',
    };
    for (const [name, text] of Object.entries(files)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const whole = readTableCells(file);
      const stream = await streamed(file);
      assert.deepEqual(whole.header, stream.header, name);
      assert.deepEqual(whole.records, stream.records, name);
      assert.equal(whole.records.length, 2, name);
    }
    assert.deepEqual(readTableCells(join(dir, 'a.csv')).records[0], { cells: ['1', '2', 'three'], row: 1, line: 2 });
    assert.deepEqual(readTableCells(join(dir, 'a.tsv')).records[0]!.cells, ['1', '"2"', 'three']); // TSV has no quoting
    assert.deepEqual(readTableCells(join(dir, 'a.jsonl')).records[1], { cells: ['4', '5', ''], row: 2, line: 3 });

    // the same errors as the streaming reader, word for word
    const bad = {
      'ragged.csv': 'a,b\n1,2\n3\n',
      'twice.csv': 'a,a\n1,2\n',
      'nameless.tsv': 'a\t\n1\t2\n',
      'empty.csv': '',
      'extra.jsonl': '{"a": 1}\n{"a": 2, "b": 3}\n',
      'array.jsonl': '{"a": [1]}\n',
    };
    for (const [name, text] of Object.entries(bad)) {
      const file = join(dir, name);
      writeFileSync(file, text);
      let streamError = '';
      try {
        await streamed(file);
      } catch (e) {
        streamError = (e as Error).message;
      }
      assert.notEqual(streamError, '', name);
      assert.throws(
        () => readTableCells(file),
        (e: Error) => e instanceof FormatError && e.message === streamError,
        name,
      );
    }
    assert.throws(
      () => readTableCells(join(dir, 'ragged.csv')),
      /ragged\.csv: row 2 \(line 3\) has 1 fields, the header has 2$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseTableText takes a delimiter and the format it is told', () => {
  assert.deepEqual(parseTableText('a;b\n1;2\n', 's.csv', 'csv', ';').records[0]!.cells, ['1', '2']);
  assert.deepEqual(parseTableText('{"a": 1}', 'x.jsonl', 'jsonl').header, ['a']);
});

test('predict inputs: a CSV, TSV or JSONL file by column name, finite numbers only, the row and column named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-whole-'));
  try {
    writeFileSync(join(dir, 'x.tsv'), 'label\tb\ta\nodd\t2\t1\neven\t4\t3\n');
    assert.deepEqual(readExamples(join(dir, 'x.tsv'), { columns: ['a', 'b'] }).toArray(), [
      [1, 2],
      [3, 4],
    ]);
    writeFileSync(join(dir, 'x.jsonl'), '{"a": 1.5, "b": -2}\n');
    assert.deepEqual(readExamples(join(dir, 'x.jsonl')).toArray(), [[1.5, -2]]);
    writeFileSync(join(dir, 'nan.csv'), 'a,b\n1,2\n3,nan\n');
    assert.throws(
      () => readExamples(join(dir, 'nan.csv')),
      (e: Error) =>
        e.message ===
        `${join(dir, 'nan.csv')}: row 2 (line 3), column "b": nan is not a finite number (features must be finite)`,
    );
    assert.throws(
      () => readExamples(join(dir, 'nan.csv'), { columns: ['a', 'c'] }),
      /nan\.csv: no column "c", which the model reads \(it reads 2 columns: a, c\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
