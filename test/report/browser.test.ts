/**
 * The report in a real headless browser (Debian's chromium driven by playwright-core): the page
 * loads offline with no console error and no request leaving the machine, and every chart has
 * drawn marks of non-zero size. Skipped, saying why, when /usr/bin/chromium is not installed.
 * With POLYTASK_SCREENSHOT=<file> it also saves a full-page screenshot there, to look at.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { writeReport } from '../../src/report/index.js';
import { sampleReportData } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

test(
  'the report loads in chromium without errors and every chart has drawn marks',
  {
    skip: existsSync(CHROMIUM)
      ? false
      : `${CHROMIUM} is missing (apt-get install -y chromium); the browser check of the report is skipped`,
    timeout: 120_000,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polytask-browser-'));
    const profile = mkdtempSync(join(tmpdir(), 'polytask-chromium-profile-'));
    try {
      const written = await writeReport(dir, {
        title: 'browser check',
        meta: [],
        config: {},
        data: sampleReportData(),
        png: false,
      });
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
      });
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        page.on('request', (r) => {
          if (!r.url().startsWith('file:')) problems.push(`request: ${r.url()}`);
        });
        await page.goto(pathToFileURL(written.html).href, { waitUntil: 'load' });
        const charts = await page.$$eval('figure.chart', (figures) =>
          figures.map((f) => {
            const svg = f.querySelector('svg');
            const box = svg?.getBoundingClientRect();
            // Vega draws every mark inside a group whose class starts with "mark-"
            const marks = [...f.querySelectorAll('svg g[class^="mark-"] > *')].filter((el) => {
              const b = (el as SVGGraphicsElement).getBBox?.();
              return b !== undefined && (b.width > 0 || b.height > 0);
            });
            return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: marks.length };
          }),
        );
        assert.deepEqual(
          charts.map((c) => c.id),
          written.chartIds.map((id) => `chart-${id}`),
        );
        for (const c of charts) {
          assert.ok(c.width > 100 && c.height > 50, `${c.id} is ${c.width}×${c.height}`);
          assert.ok(c.marks > 0, `${c.id} has no drawn marks`);
        }
        assert.deepEqual(problems, []);
        const shot = process.env.POLYTASK_SCREENSHOT;
        if (shot !== undefined && shot !== '') await page.screenshot({ path: shot, fullPage: true });
      } finally {
        await context.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    }
  },
);
