import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml, writeReport } from '../../src/report/index.js';
import { sampleReportData } from './fixtures.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

test('the report holds every chart as inline SVG, the verdicts, the tables and the config, and nothing external', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-report-'));
  try {
    const written = await writeReport(dir, {
      title: 'All <sections> & more',
      meta: [['run', 'r1']],
      config: { note: '</pre><script>x</script>' },
      data: sampleReportData(),
    });
    assert.deepEqual(written.chartIds, [
      'train-training-loss',
      'train-evaluation',
      'transfer',
      'delta-m',
      'task-metrics',
      'affinity',
      'mtl-training-loss',
      'mtl-loss-weights',
      'e2e',
    ]);
    const html = readFileSync(written.html, 'utf8');
    assert.ok(html.startsWith('<!doctype html>'));
    assert.equal(html.match(/<figure class="chart"/g)?.length, written.chartIds.length);
    assert.equal(html.match(/<svg /g)?.length, written.chartIds.length);
    for (const id of written.chartIds) assert.ok(html.includes(`id="chart-${id}"`), id);
    for (const heading of ['Training', 'Transfer learning', 'Multi-task learning', 'End-to-end vs pipeline', 'Config'])
      assert.ok(html.includes(`<h2>${heading}</h2>`), heading);
    // the verdicts in words, with their numbers
    assert.ok(html.includes('Pre-training helps up to 200 labels'));
    assert.ok(html.includes('famo +1.68%'));
    assert.ok(html.includes('crossover at ≈ 170 examples (130–230)'));
    assert.ok(html.includes('negative transfer: ew on right; pcgrad on left'));
    // text is escaped: the title and a config value cannot open elements
    assert.ok(html.includes('All &lt;sections&gt; &amp; more'));
    assert.ok(!html.includes('<script'));
    // self-contained: no script, no stylesheet or image fetched from anywhere
    assert.ok(!/<(script|link|img|iframe)\b/i.test(html));
    assert.ok(!/(src|href)\s*=\s*["']?https?:/i.test(html));
    assert.ok(!/url\(\s*["']?https?:/i.test(html));
    // one PNG per chart, each a PNG
    assert.deepEqual(readdirSync(join(dir, 'charts')).sort(), written.chartIds.map((id) => `${id}.png`).sort());
    for (const png of written.pngs) assert.deepEqual([...readFileSync(png).subarray(0, 8)], PNG_SIGNATURE);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a report without data has no chart and no PNG', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-report-'));
  try {
    const written = await writeReport(dir, { title: 'empty', meta: [], config: {}, data: {} });
    assert.deepEqual(written.chartIds, []);
    assert.deepEqual(readdirSync(dir), ['report.html']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('escapeHtml escapes the five special characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
