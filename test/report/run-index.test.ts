import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunIndex, type RunInfo } from '../../src/report/index.js';

const WRITER = fileURLToPath(new URL('./index-writer.js', import.meta.url));

function info(id: string, kind = 'train', createdAt = '2026-01-01T00:00:00.000Z'): RunInfo {
  return { id, kind, dir: `/runs/${id}`, createdAt, updatedAt: createdAt, status: 'running', summary: {} };
}

test('put, update, list, find by id, prefix or suffix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-index-'));
  try {
    const index = RunIndex.open(join(dir, 'index.sqlite'));
    index.put(info('20260101-000000-train-aaaaaa'), { epochs: 3 });
    index.put(info('20260102-000000-study-mtl-bbbbbb', 'study-mtl', '2026-01-02T00:00:00.000Z'), {});
    index.update({
      ...info('20260101-000000-train-aaaaaa'),
      status: 'completed',
      summary: { accuracy: 0.9 },
      updatedAt: '2026-01-01T01:00:00.000Z',
    });
    assert.equal(index.count(), 2);
    assert.deepEqual(
      index.list().map((r) => r.id),
      ['20260102-000000-study-mtl-bbbbbb', '20260101-000000-train-aaaaaa'],
    );
    assert.deepEqual(
      index.list({ kind: 'train' }).map((r) => r.summary),
      [{ accuracy: 0.9 }],
    );
    assert.deepEqual(
      index.list({ status: 'running' }).map((r) => r.kind),
      ['study-mtl'],
    );
    assert.equal(index.list({ limit: 1 }).length, 1);
    assert.equal(index.find('bbbbbb')?.kind, 'study-mtl');
    assert.equal(index.find('20260101')?.id, '20260101-000000-train-aaaaaa');
    assert.deepEqual(index.find('20260101-000000-train-aaaaaa')?.config, { epochs: 3 });
    assert.equal(index.find('zzz'), null);
    assert.throws(() => index.find('2026'), /matches 2 runs/);
    assert.throws(() => index.update(info('nope')), /no run 'nope'/);
    index.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('several processes writing at once lose nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-index-'));
  const path = join(dir, 'index.sqlite');
  const writers = 6;
  const count = 40;
  try {
    const start = Date.now() + 1500;
    const codes = await Promise.all(
      Array.from(
        { length: writers },
        (_, w) =>
          new Promise<number>((resolve) => {
            const child = spawn(process.execPath, [WRITER, path, String(w), String(count), String(start)], {
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            child.on('exit', (code) => resolve(code ?? 1));
          }),
      ),
    );
    assert.deepEqual(codes, Array(writers).fill(0));
    const index = RunIndex.open(path);
    const runs = index.list();
    index.close();
    assert.equal(runs.length, writers * count);
    assert.equal(new Set(runs.map((r) => r.id)).size, writers * count);
    assert.ok(
      runs.every((r) => r.status === 'completed'),
      'every update landed',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
