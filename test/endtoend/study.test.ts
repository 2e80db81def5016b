import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist } from '../../src/data/index.js';
import { parseE2eConfig, runE2eStudy, type E2eProgress } from '../../src/endtoend/index.js';

const digits = loadMnist();
const tiny = {
  sizes: [20, 40, 80, 160],
  seeds: 2,
  testExamples: 200,
  subtaskExamples: 100,
  hidden: 16,
  bootstrap: 20,
  training: { batchSize: 16, maxSteps: 20, validation: { every: 10 } },
};
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

test('a tiny study returns the documented result shape, as plain JSON', async () => {
  const events: E2eProgress[] = [];
  // CPU time, not wall time: the wall time of a loaded machine says nothing about the study
  const started = process.cpuUsage();
  const r = await runE2eStudy({ ...tiny, case: 'digit-sum', available: 100 }, (p) => events.push(p), { digits });
  const cpu = process.cpuUsage(started);
  assert.ok((cpu.user + cpu.system) / 1e6 < 20, `under 20 s of CPU time (${(cpu.user + cpu.system) / 1e6} s)`);

  assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'JSON round trip loses nothing (no NaN, Infinity or undefined)');
  assert.deepEqual(r.sizes, tiny.sizes);
  assert.equal(r.metric, 'error rate');
  assert.deepEqual(Object.keys(r.curves).sort(), ['endToEnd', 'hybrid', 'pipeline']);
  for (const curve of Object.values(r.curves)) {
    assert.deepEqual(
      curve.map((e) => e.size),
      tiny.sizes,
    );
    for (const e of curve) {
      assert.equal(e.n, 2);
      assert.equal(e.values.length, 2);
      assert.ok(e.values.every((v) => v >= 0 && v <= 1));
      assert.ok(isNumber(e.mean) && isNumber(e.sd));
    }
  }
  assert.deepEqual(
    new Set(r.curves.pipeline.map((e) => e.mean)).size,
    1,
    'the pipeline does not depend on the (x, y) data',
  );
  assert.deepEqual(Object.keys(r.fits).sort(), ['endToEnd', 'hybrid', 'pipeline']);
  assert.equal(r.fits.pipeline.status, 'constant');
  for (const fit of Object.values(r.fits)) {
    if (fit.status === 'ok' || fit.status === 'constant') assert.ok([fit.a, fit.b, fit.c].every(isNumber));
    else assert.ok(fit.a === null && fit.reason.length > 0);
  }
  assert.ok(['measured', 'extrapolated', 'not-expected', 'unknown'].includes(r.crossover.status));
  for (const k of ['size', 'low', 'high'] as const) assert.ok(r.crossover[k] === null || isNumber(r.crossover[k]));
  assert.match(r.advice, /^With 100 \(x, y\) examples: pipeline /);
  assert.ok(['pipeline', 'end-to-end', 'hybrid', 'inconclusive'].includes(r.verdict.outcome));
  assert.ok(r.verdict.reasons.some((x) => x.check === 'converged'));
  assert.equal(r.available, 100);

  assert.equal(events.length, 2 * (1 + 4 * 2));
  assert.deepEqual(
    events.map((e) => e.done),
    events.map((_, i) => i + 1),
  );
  assert.ok(events.every((e) => e.total === events.length));
  assert.deepEqual(
    events.filter((e) => e.approach === 'pipeline').map((e) => e.size),
    [null, null],
  );
});

test('the number-reading study runs end to end and reports mean absolute errors', async () => {
  const r = await runE2eStudy({ ...tiny, case: 'read-number', seeds: 1, hybrid: false }, undefined, { digits });
  assert.equal(r.metric, 'mean absolute error');
  assert.equal(r.curves.hybrid, undefined);
  assert.ok(r.curves.endToEnd.every((e) => e.mean >= 0 && e.mean < 1000));
  assert.ok(
    r.curves.pipeline[0]!.mean < 400,
    `a pipeline trained on 100 digits reads better than chance (${r.curves.pipeline[0]!.mean})`,
  );
});

test('the configuration is checked, with the offending key named', () => {
  assert.equal(parseE2eConfig({}).case, 'digit-sum');
  assert.equal(parseE2eConfig({ training: { lr: 0.01 } }).training.batchSize, 32);
  assert.throws(
    () => parseE2eConfig({ sizes: [100, 50] }),
    /sizes: found \[100, 50\], expected strictly increasing sizes/,
  );
  assert.throws(() => parseE2eConfig({ case: 'chess' }), /case:/);
  assert.throws(() => parseE2eConfig({ sezis: [1] }), /sezis/);
  assert.throws(() => parseE2eConfig({ training: { batchsize: 3 } }), /training.*batchsize/);
});
