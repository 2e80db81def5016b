/**
 * The safetensors decoder on corrupt and random input: it returns or throws a PolytaskError,
 * never anything else, and never hangs (each test has a time limit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { tensor } from '../../src/tensor/creation.js';
import { fuzzParser, returnsOrPolytaskError } from './fuzz.js';

const torchFixture = readFileSync(
  fileURLToPath(new URL('../../../test/fixtures/torch_small.safetensors', import.meta.url)),
);
const decode = (bytes: Uint8Array): unknown => decodeSafetensors(bytes, 'fuzz.safetensors');

function withHeader(header: string, data: Uint8Array): Uint8Array {
  const json = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('corrupted files (truncated, overwritten, spliced, random)', { timeout: 30_000 }, () => {
  const ours = encodeSafetensors(
    {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      ids: tensor(Int32Array.of(5, 6), [2]),
    },
    { a: 'b' },
  );
  fuzzParser(decode, [torchFixture, ours], 400);
});

test('random JSON values as the header', { timeout: 30_000 }, () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), fc.uint8Array({ maxLength: 64 }), (value, data) => {
      returnsOrPolytaskError(() => decode(withHeader(JSON.stringify(value) ?? 'null', data)));
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('random but plausible headers reach the offset, size and dtype checks', { timeout: 30_000 }, () => {
  const dtype = fc.constantFrom(
    'F32',
    'I32',
    'I64',
    'U64',
    'U32',
    'F16',
    'BF16',
    'F64',
    'BOOL',
    'U8',
    'I8',
    'I16',
    'U16',
    'F8_E5M2',
    'X',
  );
  const entry = fc.record({
    dtype,
    shape: fc.array(fc.oneof(fc.nat(4), fc.constant(-1), fc.constant(2 ** 53)), { maxLength: 3 }),
    data_offsets: fc.tuple(fc.nat(40), fc.nat(40)),
  });
  let decoded = 0;
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ maxLength: 4 }), entry, { maxKeys: 4 }),
      fc.uint8Array({ maxLength: 40 }),
      (header, data) => {
        returnsOrPolytaskError(() => {
          decode(withHeader(JSON.stringify(header), data));
          decoded++;
        });
      },
    ),
    { numRuns: 1000, seed: 11 },
  );
  assert.ok(decoded > 0, 'some generated files are valid and decode');
});
