/**
 * Loading a state dict into a module: the report of what matched, and the error strict mode throws.
 * Names follow PyTorch (`trunk.0.weight`, `bn.running_mean`), so a PyTorch state dict read from
 * safetensors loads as is.
 *
 * @example
 * const report = model.loadStateDict(sd, { strict: false });
 * report.missing;    // keys the model has but sd lacks
 * report.mismatched; // [{ key: 'head.weight', expected: [10, 64], got: [1000, 64] }]
 */
import { PolytaskError, ValueError } from '../core/errors.js';
import { Tensor } from '../tensor/index.js';

/** A key present on both sides whose shapes differ. */
export interface ShapeMismatch {
  key: string;
  expected: number[];
  got: number[];
}

/** What `loadStateDict` did: keys copied, keys the model has that the dict lacks, and the reverse. */
export interface StateDictReport {
  loaded: string[];
  missing: string[];
  unexpected: string[];
  mismatched: ShapeMismatch[];
}

export interface LoadStateDictOptions {
  /**
   * Throw a StateDictError (copying nothing) unless every key matches in name and shape. Default true.
   * With false, matching keys are copied and the rest reported: the usual way to load a backbone
   * whose head differs.
   */
  strict?: boolean;
}

/**
 * Thrown by a strict `loadStateDict`; `report` holds the details the message lists.
 *
 * @example
 * try { model.loadStateDict(sd); } catch (e) { if (e instanceof StateDictError) console.log(e.report.missing); }
 */
export class StateDictError extends PolytaskError {
  override name = 'StateDictError';
  constructor(readonly report: StateDictReport) {
    super(`loadStateDict: ${describeReport(report)}`);
  }
}

const shapeText = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * One line naming every missing, unexpected and mismatched key.
 *
 * @example
 * describeReport(model.loadStateDict(sd, { strict: false })); // '1 missing key (head.bias)'
 */
export function describeReport(r: StateDictReport): string {
  const parts: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (r.missing.length > 0) parts.push(`${plural(r.missing.length, 'missing key')} (${r.missing.join(', ')})`);
  if (r.unexpected.length > 0)
    parts.push(`${plural(r.unexpected.length, 'unexpected key')} (${r.unexpected.join(', ')})`);
  if (r.mismatched.length > 0) {
    const list = r.mismatched.map((m) => `${m.key}: expected ${shapeText(m.expected)}, got ${shapeText(m.got)}`);
    parts.push(`${plural(r.mismatched.length, 'shape mismatch')} (${list.join('; ')})`);
  }
  return parts.length === 0 ? 'all keys matched' : parts.join('; ');
}

/**
 * Copies `source[key]` into the data of `targets.get(key)` in place, for every key whose shape
 * matches; in place so that optimizers and other holders of the tensors see the new values.
 */
export function loadState(
  targets: ReadonlyMap<string, Tensor>,
  source: Readonly<Record<string, Tensor>>,
  strict: boolean,
): StateDictReport {
  const report: StateDictReport = { loaded: [], missing: [], unexpected: [], mismatched: [] };
  for (const [key, value] of Object.entries(source)) {
    if (!(value instanceof Tensor)) throw new ValueError('loadStateDict', `entry '${key}' is not a Tensor`);
    if (!targets.has(key)) report.unexpected.push(key);
  }
  for (const [key, target] of targets) {
    const value = source[key];
    if (value === undefined) report.missing.push(key);
    else if (!sameShape(value.shape, target.shape))
      report.mismatched.push({ key, expected: [...target.shape], got: [...value.shape] });
    else report.loaded.push(key);
  }
  const clean = report.missing.length === 0 && report.unexpected.length === 0 && report.mismatched.length === 0;
  if (strict && !clean) throw new StateDictError(report);
  for (const key of report.loaded) targets.get(key)!.data.set(source[key]!.data);
  return report;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
