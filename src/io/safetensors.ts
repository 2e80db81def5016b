/**
 * Safetensors, the Hugging Face tensor file format, byte for byte: an 8-byte little-endian header
 * length, a compact JSON header padded with spaces to a multiple of 8, then the tensors' bytes.
 * Tensors are laid out as the reference library lays them out (descending dtype alignment, then
 * name), so a file polytask writes is identical to the one `safetensors.torch.save_file` writes
 * for the same float32/int32 tensors and sorted metadata.
 *
 * polytask writes F32 and I32 (its two dtypes) and reads F32, I32, F16, BF16, F64 (as float32)
 * and I64, U64, U32, I16, U16, I8, U8, BOOL (as int32, failing on a value that does not fit).
 *
 * @example
 * import { saveSafetensors, loadSafetensors, readSafetensorsHeader } from 'polytask';
 * saveSafetensors('model.safetensors', model.stateDict(), { epoch: '3' });
 * model.loadStateDict(loadSafetensors('model.safetensors'));
 * readSafetensorsHeader('model.safetensors').metadata.epoch; // '3'
 */
import * as fs from 'node:fs';
import { FormatError, ValueError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';
import { writeFileAtomicSync } from './atomic.js';
import { decodeNative, littleEndianBytes, toEngineArray } from './binary.js';
import {
  dtypeKind,
  dtypeRank,
  parseSafetensorsHeader,
  readHeaderLength,
  SAFETENSORS_DTYPES,
  type SafetensorsHeader,
} from './safetensors-header.js';
import { preview, setOwn } from './untrusted.js';
import { nullRecord } from '../core/safe-keys.js';

export type { SafetensorsEntry, SafetensorsHeader } from './safetensors-header.js';

/** Tensors and metadata of a safetensors file. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

/** The reference library orders names as Rust orders strings: by UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function safetensorsDtype(t: Tensor, name: string): 'F32' | 'I32' {
  if (t.data instanceof Float32Array) return 'F32';
  if (t.data instanceof Int32Array) return 'I32';
  throw new ValueError('encodeSafetensors', `tensor ${preview(name)}: expected float32 or int32 data`);
}

/** Metadata as JSON with sorted keys, so the same metadata always gives the same bytes. */
function metadataJson(metadata: Record<string, string>): string {
  const keys = Object.keys(metadata).sort(compareUtf8);
  for (const k of keys) {
    if (typeof metadata[k] !== 'string') {
      throw new ValueError('encodeSafetensors', `metadata.${k} must be a string, got ${preview(metadata[k])}`);
    }
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`;
}

/**
 * The bytes of a safetensors file holding `tensors` (and `metadata`, when given). Tensor names
 * may be any string except `__metadata__`.
 *
 * @example
 * const bytes = encodeSafetensors({ 'fc.weight': randn([4, 3]) }, { format: 'pt' });
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const items = Object.entries(tensors).map(([name, t]) => {
    if (name === '__metadata__')
      throw new ValueError('encodeSafetensors', 'the name __metadata__ is reserved for metadata');
    if (!(t instanceof Tensor))
      throw new ValueError('encodeSafetensors', `tensor ${preview(name)}: expected a Tensor, got ${preview(t)}`);
    return { name, tensor: t, dtype: safetensorsDtype(t, name) };
  });
  items.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || compareUtf8(a.name, b.name));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(metadata)}`);
  let offset = 0;
  for (const { name, tensor, dtype } of items) {
    const end = offset + tensor.data.byteLength;
    parts.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  // Spaces pad the header so the data buffer starts 8-byte aligned, as the reference writer does.
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const { tensor } of items) {
    out.set(littleEndianBytes(tensor.data), pos);
    pos += tensor.data.byteLength;
  }
  return out;
}

function decodeEntries(bytes: Uint8Array, header: SafetensorsHeader, file: string): Record<string, Tensor> {
  const tensors = nullRecord<Tensor>();
  for (const e of header.entries) {
    const kind = dtypeKind(e.dtype);
    const field = `tensor ${preview(e.name)}`;
    if (kind === undefined) {
      const readable = SAFETENSORS_DTYPES.filter((d) => d.kind !== undefined)
        .map((d) => d.name)
        .join(', ');
      throw new FormatError(file, `${field}: dtype ${e.dtype} is not supported (polytask reads ${readable})`);
    }
    const [begin, end] = e.dataOffsets;
    const raw = bytes.subarray(header.dataStart + begin, header.dataStart + end);
    const data = toEngineArray(decodeNative(raw, kind, true), kind, file, field);
    setOwn(tensors, e.name, new Tensor(data, e.shape));
  }
  return tensors;
}

/**
 * Tensors and metadata from the bytes of a safetensors file. `file` names the source in error
 * messages. Every tensor owns a copy of its data.
 *
 * @example
 * const { tensors, metadata } = decodeSafetensors(bytes, 'upload.safetensors');
 */
export function decodeSafetensors(bytes: Uint8Array, file = '<buffer>'): SafetensorsContents {
  const header = parseSafetensorsHeader(bytes, file);
  return { tensors: decodeEntries(bytes, header, file), metadata: header.metadata };
}

/**
 * Writes `tensors` (a state dict) and optional string `metadata` to `path` atomically.
 *
 * @example
 * saveSafetensors('ckpt/model.safetensors', model.stateDict(), { step: '1200' });
 */
export function saveSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(path, encodeSafetensors(tensors, metadata));
}

/**
 * The tensors of a safetensors file as a state dict, ready for `model.loadStateDict(...)`.
 * Metadata is read with {@link readSafetensorsHeader}; both at once with {@link decodeSafetensors}.
 *
 * @example
 * model.loadStateDict(loadSafetensors('ckpt/model.safetensors'));
 */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return decodeSafetensors(fs.readFileSync(path), path).tensors;
}

/**
 * The validated header of a safetensors file (metadata, and each tensor's name, dtype, shape and
 * offsets) without reading the tensor data.
 *
 * @example
 * const { metadata, entries } = readSafetensorsHeader('model.safetensors');
 * entries.map((e) => `${e.name} ${e.dtype} [${e.shape}]`);
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const prefix = new Uint8Array(Math.min(8, size));
    fs.readSync(fd, prefix, 0, prefix.length, 0);
    const n = readHeaderLength(prefix, size, path);
    const bytes = new Uint8Array(8 + n);
    bytes.set(prefix);
    let pos = 8;
    while (pos < bytes.length) {
      const got = fs.readSync(fd, bytes, pos, bytes.length - pos, pos);
      if (got === 0)
        throw new FormatError(path, `file ended while reading the header (at byte ${pos} of ${bytes.length})`);
      pos += got;
    }
    return parseSafetensorsHeader(bytes, path, size);
  } finally {
    fs.closeSync(fd);
  }
}
