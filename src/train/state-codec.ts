/**
 * Exact storage of nested state (optimizer, scheduler, loader, rng, counters) as JSON plus
 * tensors: every Tensor is replaced by a `{"$tensor": key}` reference and collected for a
 * safetensors file, and numbers JSON cannot hold exactly (NaN, ±Infinity, -0) become
 * `{"$number": "NaN"}`. Finite numbers survive JSON bit for bit (shortest round-trip printing), so
 * a state packed and unpacked is the same state: what bitwise-identical resumption needs.
 *
 * @example
 * const { json, tensors } = packState(opt.stateDict());
 * // ... write JSON.stringify(json) and encodeSafetensors(tensors), read them back ...
 * opt.loadStateDict(unpackState(json, tensors) as OptimizerStateDict);
 */
import { ValueError } from '../core/errors.js';
import { setOwn } from '../io/untrusted.js';
import { Tensor } from '../tensor/index.js';
import { nullRecord } from '../core/safe-keys.js';

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** State split into a JSON document and the tensors it refers to by key. */
export interface PackedState {
  json: JsonValue;
  tensors: Record<string, Tensor>;
}

const TENSOR = '$tensor';
const NUMBER = '$number';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Keys starting with '$' gain one more '$', so no user key is taken for a reference. */
const escapeKey = (k: string): string => (k.startsWith('$') ? `$${k}` : k);
const unescapeKey = (k: string): string => (k.startsWith('$$') ? k.slice(1) : k);

function packNumber(v: number): JsonValue {
  if (Number.isNaN(v)) return { [NUMBER]: 'NaN' };
  if (v === Infinity) return { [NUMBER]: 'Infinity' };
  if (v === -Infinity) return { [NUMBER]: '-Infinity' };
  if (Object.is(v, -0)) return { [NUMBER]: '-0' };
  return v;
}

/**
 * Splits `value` (plain objects, arrays, numbers, strings, booleans, null and Tensors) into JSON
 * and tensors. Tensor keys are the dotted path to the tensor ('state.0.expAvg'). Object entries
 * whose value is undefined are dropped, as JSON.stringify drops them.
 *
 * @example
 * packState({ step: 3, m: zeros([2]) }); // { json: { step: 3, m: { $tensor: 'm' } }, tensors: { m } }
 */
export function packState(value: unknown): PackedState {
  const tensors = nullRecord<Tensor>();
  const visit = (v: unknown, path: string[]): JsonValue => {
    if (v instanceof Tensor) {
      const key = path.join('.');
      if (Object.hasOwn(tensors, key)) throw new ValueError('packState', `two tensors at the path '${key}'`);
      setOwn(tensors, key, v);
      return { [TENSOR]: key };
    }
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return packNumber(v);
    if (Array.isArray(v)) return v.map((x, i) => visit(x, [...path, String(i)]));
    if (isPlainObject(v)) {
      const out = nullRecord<JsonValue>();
      for (const [k, x] of Object.entries(v)) if (x !== undefined) setOwn(out, escapeKey(k), visit(x, [...path, k]));
      return out;
    }
    const shown = typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
    throw new ValueError(
      'packState',
      `'${path.join('.') || '(root)'}' is a ${shown}; state may hold plain objects, arrays, numbers, strings, booleans, null and Tensors`,
    );
  };
  return { json: visit(value, []), tensors };
}

/**
 * The value {@link packState} packed, with tensor references resolved from `tensors`.
 *
 * @example
 * const state = unpackState(JSON.parse(text), loadSafetensors('optimizer.safetensors'));
 */
export function unpackState(json: JsonValue, tensors: Readonly<Record<string, Tensor>>): unknown {
  const visit = (v: JsonValue): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === TENSOR) {
      const key = v[TENSOR];
      if (typeof key !== 'string' || !Object.hasOwn(tensors, key))
        throw new ValueError('unpackState', `no tensor '${String(key)}' for a reference`);
      return tensors[key];
    }
    if (keys.length === 1 && keys[0] === NUMBER) {
      const text = v[NUMBER];
      if (text === 'NaN') return NaN;
      if (text === 'Infinity') return Infinity;
      if (text === '-Infinity') return -Infinity;
      if (text === '-0') return -0;
      throw new ValueError('unpackState', `unknown number '${String(text)}'`);
    }
    const out = nullRecord<unknown>();
    // setOwn: a key named __proto__ read from a file stays a key, not a prototype change
    for (const [k, x] of Object.entries(v)) setOwn(out, unescapeKey(k), visit(x));
    return out;
  };
  return visit(json);
}
