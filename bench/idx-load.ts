/**
 * Loading a large IDX file: generates N 28×28 unsigned-byte images (and labels) in a temporary
 * directory, then times `loadData` as `polytask train --limit 100` runs it (the labels read, the
 * split and budget drawn, only the kept rows converted to float32) and reports the load time and
 * this process's peak resident memory (VmHWM). `lazy` sets a memory budget smaller than the file,
 * so rows are read from disk on demand instead of the file being read whole. Prints one JSON line;
 * the generated files are removed.
 *
 * usage: node dist/bench/idx-load.js [images=1000000] [whole|lazy]
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadData } from '../src/data/sources/index.js';

function header(dims: number[], type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  return out;
}

function peakRssMb(): number {
  const m = /VmHWM:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? process.resourceUsage().maxRSS / 1024 : Number(m[1]) / 1024;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const mode = process.argv[3] === 'lazy' ? 'lazy' : 'whole';
  const dir = mkdtempSync(join(tmpdir(), 'polytask-idx-bench-'));
  try {
    const images = join(dir, 'images-idx3-ubyte');
    const labels = join(dir, 'labels-idx1-ubyte');
    const t0 = performance.now();
    const fd = openSync(images, 'w');
    writeSync(fd, header([n, 28, 28]));
    const block = Uint8Array.from({ length: 784 * 1000 }, (_, i) => (i * 31) & 255);
    for (let done = 0; done < n; done += 1000) writeSync(fd, block, 0, 784 * Math.min(1000, n - done));
    closeSync(fd);
    const lab = new Uint8Array(8 + n);
    lab.set(header([n], 0x08));
    for (let i = 0; i < n; i++) lab[8 + i] = i % 10;
    writeFileSync(labels, lab);
    const generateMs = performance.now() - t0;
    if (mode === 'lazy') process.env.POLYTASK_MEMORY_BUDGET = '256M';
    const baseRss = peakRssMb();
    const t1 = performance.now();
    const data = await loadData(
      { source: 'idx', images, labels, limit: 100, testFraction: mode === 'lazy' ? 0.01 : 0.2 },
      0,
    );
    const loadMs = performance.now() - t1;
    console.log(
      JSON.stringify({
        images: n,
        mode,
        fileMb: Math.round((16 + 784 * n) / 2 ** 20),
        generateMs: Math.round(generateMs),
        loadMs: Math.round(loadMs),
        train: data.train.length,
        test: data.test.length,
        peakRssMb: Math.round(peakRssMb()),
        rssBeforeLoadMb: Math.round(baseRss),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
