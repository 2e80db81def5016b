/**
 * Loads the N-API addon (build/Release/polytask_native.node, built by `npm ci`) and wraps it as a
 * Backend: native kernels override the JS reference ones, and the JS backend keeps what the addon
 * leaves to it (binary ops on int32 data). `POLYTASK_NATIVE_ADDON=/path/to/addon.node` loads another
 * build (the sanitizer build of scripts/build-native-sanitized.sh). Importing this module registers
 * it as 'native' (priority 1: preferred when built). `POLYTASK_REQUIRE_NATIVE=1` (CI) makes a
 * missing addon an error instead of a fallback to the JS backend.
 *
 * Loading the backend installs the addon's storage pool as the allocator of tensor storage
 * (setStorageAllocator in src/core/dtype.ts): `POLYTASK_POOL_MAX_MB` caps the memory it keeps for
 * reuse (default 1024; 0 turns the pool off and tensors get plain JavaScript arrays).
 *
 * @example
 * const nb = loadNativeBackend();
 * if (nb.backend === null) console.log(`JS only: ${nb.reason}`);
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../../backend/backend.js';
import { setStorageAllocator, setStorageRelease } from '../../core/dtype.js';
import { ValueError } from '../../core/errors.js';
import { onComputePrecision } from '../../backend/precision.js';
import { backendAvailable, registerBackend } from '../../backend/registry.js';
import { jsBackend } from '../js/index.js';
import type { NativeAddon } from './addon.js';

export type { GemmConfig, NativeAddon } from './addon.js';

export interface NativeLoad {
  backend: Backend | null;
  reason: string;
}

interface AddonLoad {
  addon: NativeAddon | null;
  reason: string;
}

let cachedAddon: AddonLoad | null = null;
let cached: NativeLoad | null = null;

/** The directory of polytask's package.json, found by walking up from this file (src/ or dist/src/). */
function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'polytask') return dir;
      } catch {
        // an unreadable package.json is not ours: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function addonLoad(): AddonLoad {
  if (cachedAddon !== null) return cachedAddon;
  const override = process.env['POLYTASK_NATIVE_ADDON'];
  const root = packageRoot();
  const file = override !== undefined && override !== ''
    ? path.resolve(override)
    : root === null ? null : path.join(root, 'build', 'Release', 'polytask_native.node');
  if (file === null) {
    cachedAddon = { addon: null, reason: 'cannot find the polytask package root' };
  } else if (!existsSync(file)) {
    cachedAddon = { addon: null, reason: `${file} is not built (run: node scripts/build-native.mjs)` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(file) as NativeAddon;
      cachedAddon = { addon, reason: '' };
      // the GEMM (and so every convolution) follows the precision autocast sets
      onComputePrecision((p) => addon.setGemmPrecision(p));
    } catch (e) {
      cachedAddon = { addon: null, reason: `cannot load ${file}: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return cachedAddon;
}

/** The raw addon (for its controls and for tests), or null when it is not built. */
export function loadNativeAddon(): NativeAddon | null {
  return addonLoad().addon;
}

/** Wraps the addon as a Backend (its functions do not use `this`, so they are taken as they are). */
function wrap(addon: NativeAddon): Backend {
  const kernels: Omit<Backend, 'name' | 'binary'> = {
    unary: addon.unary, unaryGrad: addon.unaryGrad, where: addon.where, clamp: addon.clamp, clampGrad: addon.clampGrad,
    reduce: addon.reduce, argReduce: addon.argReduce,
    permute: addon.permute, slice: addon.slice, sliceAssign: addon.sliceAssign, indexSelect: addon.indexSelect,
    indexAdd: addon.indexAdd, gather: addon.gather, scatterAdd: addon.scatterAdd,
    matmul: addon.matmul,
    conv2d: addon.conv2d, conv2dBackwardInput: addon.conv2dBackwardInput, conv2dBackwardWeight: addon.conv2dBackwardWeight,
    maxPool2d: addon.maxPool2d, maxPool2dBackward: addon.maxPool2dBackward, avgPool2d: addon.avgPool2d,
    avgPool2dBackward: addon.avgPool2dBackward, adaptiveAvgPool2d: addon.adaptiveAvgPool2d,
    adaptiveAvgPool2dBackward: addon.adaptiveAvgPool2dBackward,
    softmax: addon.softmax, softmaxBackward: addon.softmaxBackward, softmaxCrossEntropy: addon.softmaxCrossEntropy,
    layerNorm: addon.layerNorm, layerNormBackward: addon.layerNormBackward,
    batchNorm: addon.batchNorm, batchNormBackward: addon.batchNormBackward,
    adamStep: addon.adamStep, sgdStep: addon.sgdStep,
  };
  return {
    ...jsBackend,
    ...kernels,
    // int32 arithmetic stays in the JS backend.
    binary: (op, a, aShape, b, bShape, out, outShape) => {
      if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
        addon.binary(op, a, aShape, b, bShape, out, outShape);
      } else {
        jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
      }
    },
    name: 'native',
  };
}

/** Largest POLYTASK_POOL_MAX_MB: 1 TiB, the largest buffer the addon hands out. */
const POOL_MAX_MB = 1 << 20;

/**
 * POLYTASK_POOL_MAX_MB as bytes, or null when unset (the addon's default, 1 GiB, applies).
 *
 * @example
 * poolLimitBytes('256'); // 268435456
 */
export function poolLimitBytes(env: string | undefined): number | null {
  if (env === undefined || env.trim() === '') return null;
  const mb = Number(env);
  if (!/^\s*\d+\s*$/.test(env) || mb > POOL_MAX_MB)
    throw new ValueError('POLYTASK_POOL_MAX_MB', `'${env}' is not a whole number of MiB from 0 to ${POOL_MAX_MB}`);
  return mb * 2 ** 20;
}

/**
 * Makes the addon's storage pool the allocator of tensor storage, within POLYTASK_POOL_MAX_MB, and
 * its releaseStorage the way autograd hands back the storage only its backward used.
 */
function installStoragePool(addon: NativeAddon): void {
  const limit = poolLimitBytes(process.env['POLYTASK_POOL_MAX_MB']);
  if (limit !== null) addon.setStoragePoolLimit(limit);
  setStorageAllocator(limit === 0 ? null : addon.allocStorage);
  setStorageRelease(limit === 0 ? null : addon.releaseStorage);
}

/** The native backend, or null and the reason it is unavailable. Loads once. */
export function loadNativeBackend(): NativeLoad {
  if (cached === null) {
    const { addon, reason } = addonLoad();
    if (addon !== null) installStoragePool(addon);
    cached = addon === null ? { backend: null, reason } : { backend: wrap(addon), reason: '' };
  }
  return cached;
}

/**
 * Whether POLYTASK_REQUIRE_NATIVE=1 forbids running without the addon (CI sets it).
 *
 * @example
 * if (nativeRequired() && !nativeAvailable().available) throw new Error('the addon must be built');
 */
export function nativeRequired(): boolean {
  return process.env['POLYTASK_REQUIRE_NATIVE'] === '1';
}

/**
 * Whether the native addon loaded, and why not.
 *
 * @example
 * const { available, reason } = nativeAvailable();
 */
export function nativeAvailable(): { available: boolean; reason: string } {
  return backendAvailable('native');
}

registerBackend('native', loadNativeBackend, 1, { required: () => (nativeRequired() ? 'POLYTASK_REQUIRE_NATIVE=1' : null) });
