/**
 * The AMX-BF16 GEMM kernel (native/kernels/gemm_bf16_amx.cpp) through its check program,
 * native/tests/gemm_bf16_amx_check.cpp, compiled here with the C++ compiler node-gyp uses:
 * - on any CPU with AVX512-BF16, with software tiles in place of AMX's (the packing of both
 *   operands, the blocks of 16 pairs and the left-over pairs for real, TDPBF16PS by its definition);
 * - on a CPU that runs AMX-BF16 (gemmBf16Kernels() lists it), also with the real instructions, and
 *   through sgemm's blocks and threads.
 * Skipped, with the reason, where the compiler lacks -mamx-bf16 or the CPU AVX512-BF16.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon } from '../../src/backends/native/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cxx = process.env['CXX'] ?? 'c++';
const FLAGS = ['-mamx-tile', '-mamx-bf16', '-mavx512f', '-mavx512bw', '-mavx512vl', '-mavx512bf16', '-mavx2', '-mfma'];
const KERNELS = [
  'gemm_bf16_avx512',
  'gemm_bf16',
  'gemm_reference',
  'gemm_dispatch',
  'gemm_driver',
  'gemm_avx512',
  'gemm_avx2',
  'gemm_generic',
  'cpu_caches',
  'parallel',
];

/** Why the check program cannot run here, or null. */
function unavailable(): string | null {
  if (process.arch !== 'x64' || process.platform !== 'linux')
    return `x86-64 Linux only (this is ${process.platform}/${process.arch})`;
  const probe = spawnSync(cxx, [...FLAGS, '-x', 'c++', '-c', '-o', '/dev/null', '-'], { input: 'int main() {}\n' });
  if (probe.status !== 0) return `${cxx} does not take ${FLAGS.join(' ')}`;
  const addon = loadNativeAddon();
  if (addon === null) return 'no native addon';
  if (!addon.gemmBf16Kernels().split(',').includes('avx512bf16')) return 'the CPU has no AVX512-BF16';
  return null;
}

/** Compiles the check program (with software tiles or not) and runs it; returns its exit status and output. */
function buildAndRun(softwareTiles: boolean): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'polytask-amx-'));
  try {
    const exe = path.join(dir, 'check');
    const sources = [
      path.join(root, 'native/tests/gemm_bf16_amx_check.cpp'),
      ...KERNELS.map((k) => path.join(root, `native/kernels/${k}.cpp`)),
    ];
    const build = spawnSync(
      cxx,
      [
        '-O2',
        '-std=c++17',
        ...FLAGS,
        ...(softwareTiles ? ['-DPT_AMX_SOFTWARE_TILES'] : []),
        ...sources,
        '-lpthread',
        '-o',
        exe,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(build.status, 0, `compiling the check program failed:\n${build.stderr}`);
    const run = spawnSync(exe, [], { encoding: 'utf8', env: { ...process.env, POLYTASK_NUM_THREADS: '2' } });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const why = unavailable();

test('the AMX kernel on software tiles agrees with the bf16 reference on every edge', { skip: why ?? false }, () => {
  const { status, output } = buildAndRun(true);
  assert.equal(status, 0, output);
  assert.match(output, /table amx-bf16: 3840 cases, 0 disagree/);
  assert.match(output, /tile configuration loads: 1 \(one per thread\)/);
  assert.match(output, /self-check: amx-bf16 agrees, a wrong A layout disagrees/);
});

const amx = why === null && (loadNativeAddon()?.gemmBf16Kernels().split(',').includes('amx-bf16') ?? false);

test(
  'the AMX kernel on AMX agrees with the bf16 reference, alone and through sgemm',
  {
    skip: why ?? (amx ? false : 'the CPU (or the OS) does not run AMX-BF16'),
  },
  () => {
    const { status, output } = buildAndRun(false);
    assert.equal(status, 0, output);
    assert.match(output, /table amx-bf16: 3840 cases, 0 disagree/);
    assert.match(output, /sgemm on amx-bf16: 15 cases, 0 disagree/);
  },
);
