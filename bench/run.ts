/**
 * `npm run bench`: the speed of polytask against its peers on this machine.
 *
 * Every contender runs in its own process (so peak memory is its own), contenders alternate within
 * each repetition, and the median of the repetitions is reported with its ratio to PyTorch (the better
 * of 1 and 2 threads) or NumPy for GEMM. The GEMM rows (W3) run at least 5 processes a contender;
 * every process, polytask's and the peers' alike, times each call of a 1.5 s window after a warm-up
 * (bench/call-timing.ts) and reports the median call's GFLOP/s, the window's wall GFLOP/s and its
 * GFLOP per CPU-second; the table shows the medians over the processes and the spread of the first. Prints a markdown table and writes bench/results.json.
 * Absent peers are reported as absent. A training process times a window of steps after 3 warm-up
 * steps (counts in `workloads`: one to a few seconds on either side; 30 steps of W1 lasted 0.2 s,
 * and its median moved ±20% with one collection or the storage pool's first steps). The training
 * rows also show the minor page faults of a steady-state step, measured after the timed window
 * (bench/steady-memory.ts, in the first repetition, not with --quick; PyTorch's worker measures its
 * own the same way), and polytask's rows the storage pool's new blocks a step (with the steps of
 * that window) and the GC milliseconds of a step.
 *
 * Then the speed claims of the studies, each measured by its own worker: multi-task step costs
 * against a single-task step (bench/mtl-step.ts) and a linear-probe epoch over cached features
 * against a fine-tuning epoch (bench/transfer-probe.ts); and the executors: a study grid with
 * `--workers 2` against `local`, and the BullMQ executor's overhead per job (bench/executors.ts).
 *
 * Last, the load time and peak memory of a 1,000,000-image IDX file generated on the fly (bench/idx-load.ts),
 * and the image-folder reader's images/s next to the training step's samples/s (bench/image-load.ts).
 *
 * W5 also runs the same encoder in TensorFlow.js (cpu backend, one timed step after a warm-up one:
 * about 95 s of CPU a step, plain-JavaScript matmuls on one thread); W7 and W8 train
 * the models of the text and audio cases (`npm start -- --case text|audio`) against PyTorch.
 *
 * usage: npm run bench [-- --reps 3 --only W1,W3,W4,W5,W6,W7,W8,mtl,probe,idx,images,executors,convlayers --quick]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeFileAtomicSync } from '../src/io/atomic.js';
import { loadNativeAddon, type GemmConfig } from '../src/backends/native/index.js';
import { nativeAvailable } from '../src/index.js';
import { convLayersTable } from './conv-layers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PY = '/usr/bin/python3';

interface Contender {
  name: string;
  /** 'reference' contenders are the denominators of the ratios; 'polytask' ones need the native addon. */
  group: 'polytask' | 'reference' | 'other';
  cmd: string[];
  /** At most this many repetitions: the slowest peers (minutes a run) are measured once. */
  maxReps?: number;
  /** Variables set for this contender's process (on top of peerEnv's environment). */
  env?: Record<string, string>;
}

interface Workload {
  id: string;
  title: string;
  metric: 'samplesPerSec' | 'gflops';
  contenders: Contender[];
  /** At least this many processes a contender, whatever --reps says (W3: 5). */
  minReps?: number;
}

/**
 * The environment of every worker: this one without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which
 * some machines set to hold OpenBLAS (NumPy's and PyTorch's BLAS) to its AVX2 kernels, so the
 * peers run the kernels OpenBLAS picks for the CPU itself.
 */
function peerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE']) if (!(k in extra)) delete env[k];
  return env;
}

function node(script: string, ...args: string[]): string[] {
  return [process.execPath, path.join(root, 'dist/bench', script), ...args];
}

function workloads(quick: boolean): Workload[] {
  const s = (full: number, q: number): string => String(quick ? q : full);
  const w1 = ['W1', 'MLP 784-512-512-10, batch 256, Adam (training samples/s)'] as const;
  const w2 = ['W2', 'CNN conv32-conv64-fc128, batch 128, Adam (training samples/s)'] as const;
  const train = (id: string, steps: string, jsSteps: string, tfSteps: string): Contender[] => [
    { name: 'polytask native', group: 'polytask', cmd: node('polytask-worker.js', id, 'native', steps) },
    { name: 'polytask native bf16', group: 'other', cmd: node('polytask-worker.js', id, 'native', steps, 'bf16') },
    { name: 'polytask js', group: 'other', cmd: node('polytask-worker.js', id, 'js', jsSteps), maxReps: 1 },
    {
      name: 'PyTorch 1 thread',
      group: 'reference',
      cmd: [PY, path.join(root, 'bench/peers/torch_worker.py'), id, '--threads', '1', '--steps', steps],
    },
    {
      name: 'PyTorch 2 threads',
      group: 'reference',
      cmd: [PY, path.join(root, 'bench/peers/torch_worker.py'), id, '--threads', '2', '--steps', steps],
    },
    { name: 'TensorFlow.js wasm', group: 'other', cmd: node('peers/tfjs-worker.js', id, 'wasm', tfSteps) },
    { name: 'TensorFlow.js cpu', group: 'other', cmd: node('peers/tfjs-worker.js', id, 'cpu', '1'), maxReps: 1 },
  ];
  // every GEMM process times each call of a window this long after its warm-up (bench/call-timing.ts)
  const sec = quick ? '0.5' : '1.5';
  const peer = (...args: string[]): string[] => [PY, path.join(root, 'bench/peers/torch_worker.py'), 'W3', ...args];
  const gemm = (size: string): Contender[] => [
    {
      name: `polytask native ${size}`,
      group: 'polytask',
      cmd: node('polytask-worker.js', 'W3', 'native', size, 'kernel', sec),
    },
    {
      name: `polytask native ${size}, Tensor.matmul`,
      group: 'other',
      cmd: node('polytask-worker.js', 'W3', 'native', size, 'tensor', sec),
    },
    {
      name: `polytask js ${size}`,
      group: 'other',
      cmd: node('polytask-worker.js', 'W3', 'js', size, 'kernel', sec),
      maxReps: 1,
    },
    {
      name: `NumPy/OpenBLAS ${size}`,
      group: 'reference',
      cmd: peer('--lib', 'numpy', '--size', size, '--seconds', sec),
    },
    { name: `PyTorch ${size}`, group: 'other', cmd: peer('--threads', '2', '--size', size, '--seconds', sec) },
  ];
  /** The zoo's workloads: polytask native against PyTorch (the JS backend and TF.js are not run on them). */
  const zoo = (id: string, steps: string): Contender[] => [
    { name: 'polytask native', group: 'polytask', cmd: node('polytask-worker.js', id, 'native', steps) },
    { name: 'polytask native bf16', group: 'other', cmd: node('polytask-worker.js', id, 'native', steps, 'bf16') },
    ...['1', '2'].map((t) => ({
      name: `PyTorch ${t} thread${t === '1' ? '' : 's'}`,
      group: 'reference' as const,
      cmd: [PY, path.join(root, 'bench/peers/torch_worker.py'), id, '--threads', t, '--steps', steps],
    })),
  ];
  return [
    { id: w1[0], title: w1[1], metric: 'samplesPerSec', contenders: train('W1', s(250, 8), s(3, 1), s(5, 2)) },
    { id: w2[0], title: w2[1], metric: 'samplesPerSec', contenders: train('W2', s(50, 3), '1', '2') },
    { id: 'W3-1024', title: 'SGEMM 1024×1024×1024 (GFLOP/s)', metric: 'gflops', contenders: gemm('1024'), minReps: 5 },
    { id: 'W3-256', title: 'SGEMM 256×256×256 (GFLOP/s)', metric: 'gflops', contenders: gemm('256'), minReps: 5 },
    {
      id: 'W4',
      title: 'ResNet-18 (torchvision layout), 32×32 RGB, batch 64, SGD momentum (training samples/s)',
      metric: 'samplesPerSec',
      contenders: zoo('W4', s(16, 2)),
    },
    {
      id: 'W5',
      title: 'BERT encoder 4 layers, hidden 256, 4 heads, sequence 128, batch 32, AdamW (training samples/s)',
      metric: 'samplesPerSec',
      contenders: [
        ...zoo('W5', s(5, 1)),
        // the same encoder written from tfjs-core ops (bench/peers/tfjs-bert.ts): ~95 s of CPU a step
        { name: 'TensorFlow.js cpu', group: 'other', cmd: node('peers/tfjs-bert.js', 'cpu', '1'), maxReps: 1 },
      ],
    },
    {
      id: 'W6',
      title: 'ResNet-18 inference, 224×224, batch 8 (images/s)',
      metric: 'samplesPerSec',
      contenders: zoo('W6', s(10, 1)),
    },
    {
      id: 'W7',
      title:
        'text case (`--case text`): BERT encoder 1 layer, 32 wide, 2 heads, averaged, Linear 32→20, heads 4 + 45, ids [64, 40], Adam (training samples/s)',
      metric: 'samplesPerSec',
      contenders: zoo('W7', s(150, 10)),
    },
    {
      id: 'W8-raw',
      title:
        'audio case (`--case audio`), end to end: M5 (32 channels) on raw audio [32, 1, 16538], Adam (training samples/s)',
      metric: 'samplesPerSec',
      contenders: zoo('W8-raw', s(50, 2)),
    },
    {
      id: 'W8-mel',
      title:
        'audio case (`--case audio`), pipeline: spectrogram CNN (16, 32, 64) on log-mel [32, 1, 32, 128], Adam (training samples/s)',
      metric: 'samplesPerSec',
      contenders: zoo('W8-mel', s(60, 4)),
    },
  ];
}

interface Sample {
  value: number | null;
  peakRssMb: number | null;
  /**
   * Training workloads: minor page faults per steady-state step (mean, max); polytask's also the
   * storage pool's new blocks and GC ms per step.
   */
  faultsPerStep?: number;
  faultsMaxPerStep?: number;
  newBlocksPerStep?: number;
  gcMsPerStep?: number;
  /** Steps of the steady-state window those figures come from. */
  windowSteps?: number;
  /** GEMM workers (bench/call-timing.ts): wall and CPU-time GFLOP/s of the window, busy threads. */
  gflopsWall?: number;
  gflopsCpu?: number;
  busyThreads?: number;
  error?: string;
}

/** Runs one worker process and returns the JSON line it printed, or why there is none. */
/** The rows a previous bench wrote to `file` (none when it is absent or unreadable). */
function previousRows(file: string): Row[] {
  try {
    const rows = (JSON.parse(readFileSync(file, 'utf8')) as { rows?: unknown }).rows;
    return Array.isArray(rows) ? (rows as Row[]) : [];
  } catch {
    return [];
  }
}

function runWorker(
  cmd: readonly string[],
  env: Record<string, string> = {},
): { record: Record<string, unknown> | null; error?: string } {
  if (cmd[0] === PY && !existsSync(PY)) return { record: null, error: 'absent (no /usr/bin/python3)' };
  try {
    const stdout = execFileSync(cmd[0]!, cmd.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
      env: peerEnv(env),
    });
    const line = stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (line === undefined) return { record: null, error: 'no result printed' };
    const r = JSON.parse(line) as Record<string, unknown>;
    return typeof r['error'] === 'string' ? { record: null, error: r['error'] } : { record: r };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const absent = /No module named|Cannot find (module|package)/.test(msg);
    return { record: null, error: absent ? 'absent' : (msg.split('\n').find((l) => /Error/.test(l)) ?? 'failed') };
  }
}

/** The per-step figures polytask's training workloads report. */
type StepKey = 'faultsPerStep' | 'faultsMaxPerStep' | 'newBlocksPerStep' | 'gcMsPerStep' | 'windowSteps';
/** Every extra figure a worker may report: per step for training workloads, per window for GEMM. */
type SampleExtra = StepKey | 'gflopsWall' | 'gflopsCpu' | 'busyThreads';

function runOnce(c: Contender, metric: string, env: Record<string, string> = {}): Sample {
  const { record, error } = runWorker(c.cmd, { ...c.env, ...env });
  if (record === null) return { value: null, peakRssMb: null, ...(error === undefined ? {} : { error }) };
  const extra = (key: SampleExtra): Partial<Sample> => (typeof record[key] === 'number' ? { [key]: record[key] } : {});
  return {
    value: Number(record[metric]),
    peakRssMb: Number(record['peakRssMb']),
    ...extra('faultsPerStep'),
    ...extra('faultsMaxPerStep'),
    ...extra('newBlocksPerStep'),
    ...extra('gcMsPerStep'),
    ...extra('windowSteps'),
    ...extra('gflopsWall'),
    ...extra('gflopsCpu'),
    ...extra('busyThreads'),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Row {
  workload: string;
  contender: string;
  median: number | null;
  ratio: number | null;
  peakRssMb: number | null;
  runs: number[];
  /** Medians over the runs, where the worker reports them (the training workloads). */
  faultsPerStep?: number;
  faultsMaxPerStep?: number;
  newBlocksPerStep?: number;
  gcMsPerStep?: number;
  windowSteps?: number;
  /**
   * GEMM rows: the spread of `runs` (min, max), and the medians over the processes of the wall
   * GFLOP/s of each window and of its GFLOP per CPU-second (with that figure's ratio to the
   * reference's), and of the threads busy on average.
   */
  spread?: [number, number];
  /** GEMM rows: each process's wall GFLOP/s and GFLOP per CPU-second, in the order of `runs`. */
  runsWall?: number[];
  runsCpu?: number[];
  gflopsWall?: number;
  gflopsCpu?: number;
  ratioCpu?: number | null;
  busyThreads?: number;
  note?: string;
}

/** What every row holds: the contender's median, its ratio to the reference, peak RSS, each run, and why it failed. */
function baseRow(workload: string, contender: string, m: number | null, ref: number | null, ss: Sample[]): Row {
  const rss = ss.map((s) => s.peakRssMb).filter((v): v is number => v !== null);
  const err = ss.find((s) => s.error !== undefined)?.error;
  return {
    workload,
    contender,
    median: m,
    ratio: m !== null && ref !== null ? m / ref : null,
    peakRssMb: rss.length === 0 ? null : Math.max(...rss),
    runs: ss.map((s) => s.value ?? NaN),
    ...(m === null && err !== undefined ? { note: err } : {}),
  };
}

/**
 * The GEMM table and rows: per contender the median over its processes of each process's
 * median-call GFLOP/s, their min–max, the ratio to the reference, and the medians of the wall
 * GFLOP/s and of the GFLOP per CPU-second (with its own ratio).
 */
function gemmTable(
  w: Workload,
  samples: Map<string, Sample[]>,
  procs: number,
  med: (name: string, key?: 'value' | 'gflopsCpu') => number | null,
  ref: number | null,
  refCpu: number | null,
): { table: string; rows: Row[] } {
  const rows: Row[] = [];
  const lines = [
    `### ${w.title}`,
    '',
    `${procs} processes a contender (the JavaScript backend 1), alternating; each process: a warm-up, then every call of its window timed.`,
    '',
    '| contender | GFLOP/s (median call) | min–max over processes | × reference | wall GFLOP/s | GFLOP per CPU-s | × reference (CPU) | busy threads | peak RSS (MB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const f = (v: number | null | undefined, digits = 1): string =>
    v === null || v === undefined ? '' : v.toFixed(digits);
  for (const c of w.contenders) {
    const ss = samples.get(c.name)!;
    const m = med(c.name);
    const vals = ss.map((s) => s.value).filter((v): v is number => v !== null && Number.isFinite(v));
    const of = (key: 'gflopsWall' | 'busyThreads'): number | undefined => {
      const xs = ss.map((s) => s[key]).filter((v): v is number => v !== undefined);
      return xs.length === 0 ? undefined : median(xs);
    };
    const cpu = med(c.name, 'gflopsCpu');
    const wall = of('gflopsWall');
    const busy = of('busyThreads');
    const row: Row = {
      ...baseRow(w.id, c.name, m, ref, ss),
      runsWall: ss.map((s) => s.gflopsWall ?? NaN),
      runsCpu: ss.map((s) => s.gflopsCpu ?? NaN),
      ...(vals.length === 0 ? {} : { spread: [Math.min(...vals), Math.max(...vals)] as [number, number] }),
      ...(wall === undefined ? {} : { gflopsWall: wall }),
      ...(cpu === null ? {} : { gflopsCpu: cpu, ratioCpu: refCpu === null ? null : cpu / refCpu }),
      ...(busy === undefined ? {} : { busyThreads: busy }),
    };
    rows.push(row);
    lines.push(
      `| ${c.name} | ${m === null ? (row.note ?? 'n/a') : m.toFixed(1)} | ${row.spread === undefined ? '' : `${row.spread[0].toFixed(0)}–${row.spread[1].toFixed(0)}`} | ${f(row.ratio, 2)} | ${f(row.gflopsWall)} | ${f(row.gflopsCpu)} | ${f(row.ratioCpu, 2)} | ${f(row.busyThreads, 2)} | ${f(row.peakRssMb, 0)} |`,
    );
  }
  return { table: lines.join('\n'), rows };
}

function mtlTable(backend: string, quick: boolean): string {
  const { record: result, error } = runWorker(node('mtl-step.js', backend, quick ? '5' : '30'));
  const title = `### Multi-task step cost (${backend}, ms per step, batch ${String(result?.['batch'] ?? 64)}, 2 tasks; median of rounds)`;
  if (result === null) return `${title}\n\nfailed: ${error}`;
  const ms = result['msPerStep'] as Record<string, number>;
  const ratios = result['ratios'] as Record<string, number>;
  const budget = result['budget'] as Record<string, number>;
  const within = result['within'] as Record<string, boolean>;
  // ratios are medians of in-round ratios (what `within` is judged on), not ratios of the medians
  const lines = [
    title,
    '',
    '| step | ms | ratio (median of rounds) | budget (ms) | within |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const [k, v] of Object.entries(ms)) {
    if (k === 'forward') continue;
    const ratio =
      k === 'single'
        ? ''
        : k === 'ew'
          ? `${ratios['ewOverSingle']!.toFixed(2)}× single`
          : `${ratios[`${k}OverEw`]!.toFixed(2)}× ew`;
    lines.push(
      `| ${k} | ${v.toFixed(1)} | ${ratio} | ${budget[k]?.toFixed(1) ?? ''} | ${within[k] === undefined ? '' : within[k] ? 'yes' : 'NO'} |`,
    );
  }
  lines.push(
    '',
    'Budgets (issue 4): ew ≤ 1.2× single; loss weighting and FAMO ≤ 1.2× ew; per-task-gradient methods ≤ ew + one backward pass per task.',
  );
  return lines.join('\n');
}

function probeTable(backend: string, quick: boolean): string {
  const { record: result, error } = runWorker(node('transfer-probe.js', backend, quick ? '300' : '1000'));
  const title = `### Linear probe over cached features vs fine-tuning (${backend}, benchmark CNN, MNIST)`;
  if (result === null) return `${title}\n\nfailed: ${error}`;
  return [
    title,
    '',
    '| examples | fine-tune epoch (ms) | probe epoch (ms) | cache fill (ms) | speed-up (target ≥ 10×) |',
    '| ---: | ---: | ---: | ---: | ---: |',
    `| ${String(result['examples'])} | ${String(result['fineTuneEpochMs'])} | ${String(result['probeEpochMs'])} | ${String(result['cacheFillMs'])} | ${String(result['speedup'])}× |`,
  ].join('\n');
}

function idxTable(quick: boolean): string {
  const n = quick ? 100_000 : 1_000_000;
  const title = `### Loading ${n.toLocaleString('en')} IDX images (28×28 bytes, generated on the fly) as \`train --limit 100\` does`;
  const lines = [
    title,
    '',
    '| mode | file (MB) | train / test examples | load (ms) | peak RSS (MB) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const mode of ['whole', 'lazy']) {
    const { record: r, error } = runWorker(node('idx-load.js', String(n), mode));
    if (r === null) lines.push(`| ${mode} | failed: ${error} | | | |`);
    else
      lines.push(
        `| ${mode === 'lazy' ? 'lazy (budget 256 MiB, 1% test)' : 'whole file (20% test)'} | ${String(r['fileMb'])} | ${String(r['train'])} / ${String(r['test'])} | ${String(r['loadMs'])} | ${String(r['peakRssMb'])} |`,
      );
  }
  return lines.join('\n');
}

function imagesTable(quick: boolean, backend: string): string {
  const n = quick ? 500 : 2000;
  const title = `### Reading an image folder: ${n.toLocaleString('en')} generated 64×64 JPEGs to 32×32 RGB, against the training step (${backend})`;
  const { record: r, error } = runWorker(node('image-load.js', String(n), backend));
  if (r === null) return `${title}\n\nfailed: ${error}`;
  const row = (what: string, key: string): string => `| ${what} | ${String(r[key])} |`;
  return [
    title,
    '',
    '| stage | images/s |',
    '| --- | ---: |',
    row(`decode + resize (sharp, \`loadData\`, ${String(r['decodeWorkers'])} worker threads)`, 'decodePerSec'),
    row('decode + resize on the main thread only (`POLYTASK_DECODE_WORKERS=0`)', 'decodeMainThreadPerSec'),
    row('decode + write the cache (`cache: true`, first run)', 'cacheFillPerSec'),
    row('read the cache (`cache: true`, later runs)', 'cacheReadPerSec'),
    row('augment alone (resized crop, flip, jitter; batches of 64)', 'augmentPerSec'),
    row('train step, CNN conv16-conv32-fc64, batch 64, Adam', 'trainPerSec'),
    row('train step with the augmentation in the loader', 'trainAugmentedPerSec'),
  ].join('\n');
}

function executorsTable(quick: boolean): string {
  const { record: r, error } = runWorker(node('executors.js', quick ? '1' : '2', quick ? '30' : '100'));
  const title = '### Executors: a study grid with `--workers 2` against `local`, and the BullMQ overhead per job';
  if (r === null) return `${title}\n\nfailed: ${error}`;
  return [
    title,
    '',
    `grid: \`polytask study ${String(r['grid'])}\` (8 sub-runs), wall time of the command, best of the repetitions; kernel threads: ${String(r['threads'])}`,
    '',
    '| local (s) | --workers 2 (s) | speed-up | BullMQ overhead per job (ms, no-op jobs, 1 worker) |',
    '| ---: | ---: | ---: | ---: |',
    `| ${String(r['localSeconds'])} | ${String(r['workersSeconds'])} | ${String(r['speedup'])}× | ${r['bullmqMsPerJob'] === null ? 'no redis-server' : String(r['bullmqMsPerJob'])} |`,
  ].join('\n');
}

/** The native GEMM's kernel, cache blocks and the caches they come from, as a sentence (or null). */
function gemmLine(config: GemmConfig | null): string | null {
  if (config === null) return null;
  const size = (bytes: number): string =>
    bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : bytes > 0 ? `${bytes / 1024} KiB` : 'none';
  return `polytask GEMM: ${config.kernel} ${config.mr}×${config.nr} micro-kernel, KC ${config.kc} / MC ${config.mc} / NC ${config.nc} from ${config.blocks} (${config.caches}: L1d ${size(config.l1d)}, L2 ${size(config.l2)} a core, L3 ${size(config.l3)}; CPU "${config.cpu}").`;
}

function main(): void {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const repsIdx = args.indexOf('--reps');
  const reps = repsIdx >= 0 ? Number(args[repsIdx + 1]) : quick ? 1 : 3;
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1]!.split(',') : null;
  const native = nativeAvailable();
  const rows: Row[] = [];
  const tables: string[] = [];
  for (const w of workloads(quick)) {
    if (only !== null && !only.some((o) => w.id.startsWith(o))) continue;
    const samples = new Map<string, Sample[]>(w.contenders.map((c) => [c.name, []]));
    const wReps = Math.max(reps, w.minReps ?? 0);
    for (let r = 0; r < wReps; r++) {
      // alternate the order between repetitions so no contender always runs on a warmer machine
      const order = r % 2 === 0 ? w.contenders : [...w.contenders].reverse();
      for (const c of order) {
        if (r >= (c.maxReps ?? wReps)) continue;
        const s =
          c.group === 'polytask' && !native.available
            ? { value: null, peakRssMb: null, error: `native backend unavailable: ${native.reason}` }
            : // the steady-state memory phase (bench/steady-memory.ts) is long: the first repetition's is
              // enough, and --quick skips it
              runOnce(c, w.metric, r === 0 && !quick ? {} : { POLYTASK_BENCH_STEADY: '0' });
        samples.get(c.name)!.push(s);
        process.stderr.write(`${w.id} ${c.name}: ${s.value?.toFixed(1) ?? s.error}\n`);
      }
    }
    const med = (name: string, key: 'value' | 'gflopsCpu' = 'value'): number | null => {
      const vals = samples
        .get(name)!
        .map((s) => s[key])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return vals.length === 0 ? null : median(vals);
    };
    const best = (key: 'value' | 'gflopsCpu'): number | null => {
      const refs = w.contenders
        .filter((c) => c.group === 'reference')
        .map((c) => med(c.name, key))
        .filter((v): v is number => v !== null);
      return refs.length === 0 ? null : Math.max(...refs);
    };
    const ref = best('value');
    if (w.metric === 'gflops') {
      const { table, rows: gemmRows } = gemmTable(w, samples, wReps, med, ref, best('gflopsCpu'));
      tables.push(table);
      rows.push(...gemmRows);
      continue;
    }
    const lines = [
      `### ${w.title}`,
      '',
      '| contender | median | × reference | peak RSS (MB) | page faults / step (max) | new pool blocks / step (steps) | GC ms / step |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const c of w.contenders) {
      const m = med(c.name);
      const ss = samples.get(c.name)!;
      const medianOf = (key: StepKey): Partial<Row> => {
        const vals = ss.map((s) => s[key]).filter((v): v is number => v !== undefined);
        return vals.length === 0 ? {} : { [key]: median(vals) };
      };
      const row: Row = {
        ...baseRow(w.id, c.name, m, ref, ss),
        ...medianOf('faultsPerStep'),
        ...medianOf('faultsMaxPerStep'),
        ...medianOf('newBlocksPerStep'),
        ...medianOf('gcMsPerStep'),
        ...medianOf('windowSteps'),
      };
      rows.push(row);
      lines.push(
        `| ${c.name} | ${m === null ? (row.note ?? 'n/a') : m.toFixed(1)} | ${row.ratio === null ? '' : row.ratio.toFixed(2)} | ${row.peakRssMb === null ? '' : row.peakRssMb.toFixed(0)} | ${row.faultsPerStep?.toFixed(0) ?? ''}${row.faultsMaxPerStep === undefined ? '' : ` (${row.faultsMaxPerStep.toFixed(0)})`} | ${row.newBlocksPerStep === undefined ? '' : `${row.newBlocksPerStep.toFixed(3)} (${row.windowSteps ?? '?'})`} | ${row.gcMsPerStep?.toFixed(1) ?? ''} |`,
      );
    }
    tables.push(lines.join('\n'));
  }
  if (only === null || only.includes('mtl')) tables.push(mtlTable(native.available ? 'native' : 'js', quick));
  if (only === null || only.includes('probe')) tables.push(probeTable(native.available ? 'native' : 'js', quick));
  if (only === null || only.includes('idx')) tables.push(idxTable(quick));
  if (only === null || only.includes('images')) tables.push(imagesTable(quick, native.available ? 'native' : 'js'));
  if (only === null || only.includes('executors')) tables.push(executorsTable(quick));
  if (only === null || only.includes('convlayers')) {
    tables.push(
      convLayersTable(
        node('polytask-worker.js', 'convlayers', 'native', quick ? '2' : '5'),
        [PY, path.join(root, 'bench/peers/torch_worker.py'), 'convlayers', '--steps', quick ? '2' : '5'],
        reps,
      ),
    );
  }
  const header = `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; median of ${reps} run(s) (W3: of at least 5 processes a contender, each the median call of its timed window); reference = best PyTorch thread count (W1, W2, W4–W8) or NumPy/OpenBLAS (W3).`;
  const gemm = native.available ? (loadNativeAddon()?.gemmConfig() ?? null) : null;
  const md = [header, gemmLine(gemm) ?? 'polytask GEMM: native backend unavailable.', '', ...tables].join('\n\n');
  console.log(md);
  // an --only run replaces the rows of the workloads it measured and keeps the others' rows
  const file = path.join(root, 'bench/results.json');
  const measured = new Set(rows.map((r) => r.workload));
  const kept = only === null ? [] : previousRows(file).filter((r) => !measured.has(r.workload));
  writeFileAtomicSync(
    file,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        reps,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        gemm,
        rows: [...kept, ...rows],
      },
      null,
      2,
    ) + '\n',
  );
}

main();
