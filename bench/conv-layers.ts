/**
 * The `convlayers` table of `npm run bench`: forward, input-gradient and weight-gradient time of
 * each distinct convolution geometry of ResNet-18 at 32×32 (batch 64, W4), ResNet-18 at 224×224
 * (batch 8, W6), the bench CNN (batch 128, W2) and MobileNetV2's depthwise layers at 32×32
 * (batch 64), polytask's native kernels beside PyTorch's at the same thread count. Each contender
 * runs in its own process, alternating, and each layer keeps its best time over the rounds.
 *
 * @example
 * npm run bench -- --only convlayers --reps 3     # the table, 1 and 2 threads
 * node dist/bench/polytask-worker.js convlayers native 5   # polytask's times as one JSON line
 */
import { execFileSync } from 'node:child_process';
import type { Conv2dGeometry } from '../src/backend/backend.js';
import { getBackend } from '../src/index.js';

/** One layer: a label and its geometry (square maps and kernels, no dilation). */
export interface ConvLayer {
  name: string;
  n: number;
  c: number;
  h: number;
  o: number;
  k: number;
  stride: number;
  pad: number;
  groups: number;
}

const L = (
  name: string,
  n: number,
  c: number,
  h: number,
  o: number,
  k: number,
  stride: number,
  pad: number,
  groups = 1,
): ConvLayer => ({
  name,
  n,
  c,
  h,
  o,
  k,
  stride,
  pad,
  groups,
});

export const CONV_LAYERS: readonly ConvLayer[] = [
  L('W4 conv1 7x7/2', 64, 3, 32, 64, 7, 2, 3),
  L('W4 layer1 3x3', 64, 64, 8, 64, 3, 1, 1),
  L('W4 layer2 3x3/2', 64, 64, 8, 128, 3, 2, 1),
  L('W4 layer2 1x1/2', 64, 64, 8, 128, 1, 2, 0),
  L('W4 layer2 3x3', 64, 128, 4, 128, 3, 1, 1),
  L('W4 layer3 3x3/2', 64, 128, 4, 256, 3, 2, 1),
  L('W4 layer3 3x3', 64, 256, 2, 256, 3, 1, 1),
  L('W4 layer4 3x3/2', 64, 256, 2, 512, 3, 2, 1),
  L('W4 layer4 3x3', 64, 512, 1, 512, 3, 1, 1),
  L('W2 conv1', 128, 1, 28, 32, 3, 1, 1),
  L('W2 conv2', 128, 32, 14, 64, 3, 1, 1),
  L('W6 conv1 7x7/2', 8, 3, 224, 64, 7, 2, 3),
  L('W6 layer1 3x3', 8, 64, 56, 64, 3, 1, 1),
  L('W6 layer2 3x3/2', 8, 64, 56, 128, 3, 2, 1),
  L('W6 layer2 3x3', 8, 128, 28, 128, 3, 1, 1),
  L('W6 layer3 3x3', 8, 256, 14, 256, 3, 1, 1),
  L('W6 layer4 3x3', 8, 512, 7, 512, 3, 1, 1),
  L('MBv2 dw 32ch 16x16', 64, 32, 16, 32, 3, 1, 1, 32),
  L('MBv2 dw 96ch 16x16/2', 64, 96, 16, 96, 3, 2, 1, 96),
  L('MBv2 dw 144ch 8x8', 64, 144, 8, 144, 3, 1, 1, 144),
  L('MBv2 dw 192ch 4x4', 64, 192, 4, 192, 3, 1, 1, 192),
  L('MBv2 dw 384ch 2x2', 64, 384, 2, 384, 3, 1, 1, 384),
  L('MBv2 dw 960ch 1x1', 64, 960, 1, 960, 3, 1, 1, 960),
];

export function geometryOf(l: ConvLayer): Conv2dGeometry {
  const oh = Math.floor((l.h + 2 * l.pad - l.k) / l.stride) + 1;
  return {
    n: l.n,
    c: l.c,
    h: l.h,
    w: l.h,
    o: l.o,
    kh: l.k,
    kw: l.k,
    oh,
    ow: oh,
    strideH: l.stride,
    strideW: l.stride,
    padH: l.pad,
    padW: l.pad,
    dilationH: 1,
    dilationW: 1,
    groups: l.groups,
  };
}

/** Milliseconds of [forward, input gradient, weight gradient] per layer: the best of `reps` calls after one warm-up. */
export function convLayerTimes(reps: number): number[][] {
  const be = getBackend();
  const fill = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
  return CONV_LAYERS.map((l) => {
    const g = geometryOf(l);
    const x = fill(g.n * g.c * g.h * g.w);
    const w = fill(g.o * (g.c / g.groups) * g.kh * g.kw);
    const bias = fill(g.o);
    const y = new Float32Array(g.n * g.o * g.oh * g.ow);
    const gy = fill(y.length);
    const gx = new Float32Array(x.length);
    const gw = new Float32Array(w.length);
    const gb = new Float32Array(g.o);
    const best = (f: () => void): number => {
      f();
      let m = Infinity;
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        f();
        m = Math.min(m, performance.now() - t0);
      }
      return m;
    };
    return [
      best(() => be.conv2d({ x, w, bias, y }, g)),
      best(() => be.conv2dBackwardInput({ gy, w, gx }, g)),
      best(() => be.conv2dBackwardWeight({ gy, x, gw, gb }, g)),
    ];
  });
}

function runJson(cmd: string[], env: NodeJS.ProcessEnv): { ms: number[][] } | string {
  try {
    const out = execFileSync(cmd[0]!, cmd.slice(1), {
      encoding: 'utf8',
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    const line = out
      .trim()
      .split('\n')
      .filter((s) => s.startsWith('{'))
      .pop();
    return line === undefined ? 'no result printed' : (JSON.parse(line) as { ms: number[][] });
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? 'failed';
  }
}

/**
 * The markdown table: per layer and pass, polytask's and PyTorch's best times and PyTorch/polytask
 * (above 1: polytask faster), at 1 and 2 threads; `rounds` alternating runs of each.
 */
export function convLayersTable(workerCmd: string[], torchCmd: string[], rounds: number): string {
  const lines = [
    '### Convolution layers: polytask native against PyTorch, same thread count (ms, best of rounds; ratio = PyTorch / polytask)',
    '',
    '| layer | threads | fwd | torch fwd | ratio | bwd input | torch | ratio | bwd weight | torch | ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const threads of ['1', '2']) {
    const best: [number[][] | null, number[][] | null] = [null, null];
    for (let r = 0; r < Math.max(1, rounds); r++) {
      const runs = [
        runJson(workerCmd, { ...process.env, POLYTASK_NUM_THREADS: threads }),
        runJson([...torchCmd, '--threads', threads, '--layers', JSON.stringify(CONV_LAYERS)], process.env),
      ];
      runs.forEach((res, i) => {
        if (typeof res === 'string') return;
        const prev = best[i];
        best[i] = prev === null ? res.ms : res.ms.map((row, l) => row.map((v, p) => Math.min(v, prev[l]![p]!)));
      });
    }
    const [pt, th] = best;
    if (pt === null || th === null) {
      lines.push(`| all | ${threads} | ${pt === null ? 'polytask failed' : 'PyTorch failed'} | | | | | | | | |`);
      continue;
    }
    CONV_LAYERS.forEach((l, i) => {
      const cells = [0, 1, 2].map(
        (p) => `${pt[i]![p]!.toFixed(2)} | ${th[i]![p]!.toFixed(2)} | ${(th[i]![p]! / pt[i]![p]!).toFixed(2)}`,
      );
      lines.push(`| ${l.name} | ${threads} | ${cells.join(' | ')} |`);
    });
  }
  return lines.join('\n');
}
