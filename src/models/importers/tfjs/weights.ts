/**
 * The weights of a TF.js model: its `weightsManifest` (groups of shard files, each listing its
 * weights' names, shapes, dtypes and quantisation) read into float32 arrays by name. Float32,
 * int32 and the quantised forms TF.js writes (uint8/uint16 with scale and min, float16) are read;
 * anything else is refused. Shard paths must stay inside the model's folder, and the bytes the
 * manifest declares must be the bytes the shards hold, before anything is allocated.
 *
 * @example
 * const w = readWeights(json.weightsManifest, '/models/net');
 * w.get('conv1/kernel'); // { shape: [3, 3, 3, 16], data: Float32Array(432) }
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../../core/errors.js';

export interface NamedWeight {
  shape: number[];
  data: Float32Array;
}

/** One weight as the manifest declares it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

/** The largest weight a file may declare (elements). */
const MAX_ELEMENTS = 1 << 28;

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function checkSpec(raw: unknown, where: string, file: string): WeightSpec {
  if (typeof raw !== 'object' || raw === null) throw new FormatError(file, `${where}: expected a mapping`);
  const r = raw as Record<string, unknown>;
  if (typeof r.name !== 'string' || r.name.length === 0 || r.name.length > 300)
    throw new FormatError(file, `${where}.name: expected a weight name`);
  if (!Array.isArray(r.shape) || r.shape.length > 8 || !r.shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new FormatError(file, `${where}.shape: expected a list of at most 8 non-negative integers`);
  const shape = r.shape as number[];
  if (shape.reduce((a, b) => a * b, 1) > MAX_ELEMENTS)
    throw new FormatError(file, `${where}: ${r.name} declares more than ${MAX_ELEMENTS} elements`);
  if (r.dtype !== 'float32' && r.dtype !== 'int32')
    throw new FormatError(file, `${where}.dtype: expected float32 or int32, got ${JSON.stringify(r.dtype)}`);
  const spec: WeightSpec = { name: r.name, shape, dtype: r.dtype };
  if (r.quantization !== undefined) {
    const q = r.quantization as Record<string, unknown>;
    if (typeof q !== 'object' || q === null || !['uint8', 'uint16', 'float16'].includes(q.dtype as string))
      throw new FormatError(file, `${where}.quantization.dtype: expected uint8, uint16 or float16`);
    if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number'))
      throw new FormatError(file, `${where}.quantization: expected numbers scale and min`);
    spec.quantization = {
      dtype: q.dtype as string,
      ...(typeof q.scale === 'number' ? { scale: q.scale } : {}),
      ...(typeof q.min === 'number' ? { min: q.min } : {}),
    };
  }
  return spec;
}

/** The bytes a weight takes in its shard. */
const byteSize = (spec: WeightSpec): number =>
  spec.shape.reduce((a, b) => a * b, 1) * BYTES[spec.quantization?.dtype ?? spec.dtype]!;

/** IEEE half → float. */
function half(h: number): number {
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The bytes of one weight as float32. */
function decode(spec: WeightSpec, bytes: Uint8Array): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const q = spec.quantization;
  if (q === undefined) {
    for (let i = 0; i < n; i++)
      out[i] = spec.dtype === 'int32' ? view.getInt32(4 * i, true) : view.getFloat32(4 * i, true);
  } else if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) out[i] = half(view.getUint16(2 * i, true));
  } else {
    const wide = q.dtype === 'uint16';
    for (let i = 0; i < n; i++) out[i] = (wide ? view.getUint16(2 * i, true) : bytes[i]!) * q.scale! + q.min!;
  }
  return out;
}

/**
 * Decodes weights laid end to end in `data` as `specs` declares them.
 *
 * @example
 * decodeWeights(artifacts.weightSpecs, new Uint8Array(artifacts.weightData), 'model');
 */
export function decodeWeights(specs: readonly unknown[], data: Uint8Array, file: string): Map<string, NamedWeight> {
  const out = new Map<string, NamedWeight>();
  let offset = 0;
  for (const [i, raw] of specs.entries()) {
    const spec = checkSpec(raw, `weights[${i}]`, file);
    const size = byteSize(spec);
    if (offset + size > data.byteLength)
      throw new FormatError(
        file,
        `weight ${spec.name} ends at byte ${offset + size}, past the ${data.byteLength} bytes of its shards`,
      );
    if (out.has(spec.name)) throw new FormatError(file, `weight ${spec.name} is listed twice`);
    out.set(spec.name, { shape: spec.shape, data: decode(spec, data.subarray(offset, offset + size)) });
    offset += size;
  }
  if (offset !== data.byteLength)
    throw new FormatError(file, `the shards hold ${data.byteLength} bytes, the manifest declares ${offset}`);
  return out;
}

/**
 * The weights of a model.json's `weightsManifest`, shards read from `dir`.
 *
 * @example
 * readWeights(json.weightsManifest, path.dirname(modelJson), modelJson);
 */
export function readWeights(manifest: unknown, dir: string, file: string): Map<string, NamedWeight> {
  if (!Array.isArray(manifest)) throw new FormatError(file, 'weightsManifest: expected a list of groups');
  const all = new Map<string, NamedWeight>();
  const root = path.resolve(dir);
  for (const [g, group] of manifest.entries()) {
    const r = group as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || !Array.isArray(r.paths) || !Array.isArray(r.weights))
      throw new FormatError(file, `weightsManifest[${g}]: expected { paths: [...], weights: [...] }`);
    const shards = r.paths.map((p, i) => {
      if (typeof p !== 'string') throw new FormatError(file, `weightsManifest[${g}].paths[${i}]: expected a file name`);
      const abs = path.resolve(root, p);
      if (!abs.startsWith(`${root}${path.sep}`))
        throw new FormatError(file, `weightsManifest[${g}].paths[${i}]: ${p} is outside the model's folder`);
      return abs;
    });
    const declared = r.weights.reduce<number>((n, w, i) => {
      return n + byteSize(checkSpec(w, `weightsManifest[${g}].weights[${i}]`, file));
    }, 0);
    const sizes = shards.map((s) => {
      try {
        return fs.statSync(s).size;
      } catch {
        throw new FormatError(file, `weight shard ${s} cannot be read`);
      }
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== declared)
      throw new FormatError(
        file,
        `weightsManifest[${g}]: its shards hold ${total} bytes, its weights declare ${declared}`,
      );
    const data = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      const b = fs.readFileSync(s);
      data.set(b, at);
      at += b.byteLength;
    }
    for (const [k, v] of decodeWeights(r.weights, data, file)) {
      if (all.has(k)) throw new FormatError(file, `weight ${k} is listed twice`);
      all.set(k, v);
    }
  }
  return all;
}
