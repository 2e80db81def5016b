/**
 * Corruption fuzzing for file parsers with fast-check: truncations, byte overwrites, inserted and
 * deleted runs, and random bytes, derived from a valid file. The property every parser must keep:
 * it returns, or throws a PolytaskError; any other exception (TypeError, RangeError, a zlib or
 * JSON error) is a bug.
 *
 * @example
 * fuzzParser((b) => parseIdx(b, 'fuzz.idx'), validBytes);
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PolytaskError } from '../../src/core/errors.js';

/** Arbitrary corruptions of `base`. */
export function corruptions(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const truncated = fc.nat({ max: base.length }).map((k) => base.slice(0, k));
  const overwritten = fc
    .array(fc.tuple(fc.nat({ max: Math.max(0, base.length - 1) }), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    })
    .map((edits) => {
      const out = base.slice();
      for (const [i, v] of edits) out[i] = v;
      return out;
    });
  const inserted = fc
    .tuple(fc.nat({ max: base.length }), fc.uint8Array({ minLength: 1, maxLength: 16 }))
    .map(([at, bytes]) => Uint8Array.from([...base.subarray(0, at), ...bytes, ...base.subarray(at)]));
  const deleted = fc
    .tuple(fc.nat({ max: base.length }), fc.integer({ min: 1, max: 16 }))
    .map(([at, n]) => Uint8Array.from([...base.subarray(0, at), ...base.subarray(at + n)]));
  const random = fc.uint8Array({ maxLength: 256 });
  return fc.oneof(truncated, overwritten, inserted, deleted, random);
}

/** Asserts that `run` returns or throws a PolytaskError (naming the input on failure). */
export function returnsOrPolytaskError(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof PolytaskError, `expected a PolytaskError, got ${(err as Error)?.stack ?? String(err)}`);
  }
}

/** Runs `parse` on `runs` corruptions of each valid sample. */
export function fuzzParser(parse: (bytes: Uint8Array) => unknown, samples: readonly Uint8Array[], runs = 300): void {
  for (const base of samples) {
    fc.assert(
      fc.property(corruptions(base), (bytes) => returnsOrPolytaskError(() => parse(bytes))),
      { numRuns: runs, seed: 42 },
    );
  }
}
