import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  centerDigit,
  columnInk,
  inkRuns,
  locateDigits,
  locateSegments,
  splitColumns,
} from '../../src/endtoend/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';

/** A height × width image with ink (value 1) in the given columns over rows 5..20. */
function strokes(height: number, width: number, columns: readonly number[]): Float32Array {
  const img = new Float32Array(height * width);
  for (let r = 5; r < 21; r++) for (const c of columns) img[r * width + c] = 1;
  return img;
}
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

test('splitColumns cuts the image into equal strips, left to right', () => {
  const data = Float32Array.from({ length: 2 * 4 * 6 }, (_, i) => i);
  const halves = splitColumns(tensor(data, [2, 1, 4, 6]), 2);
  assert.deepEqual(halves.shape, [2, 2, 1, 4, 3]);
  const rows = halves.toArray() as number[][][][][];
  assert.deepEqual(rows[0]![0]![0]![0], [0, 1, 2]);
  assert.deepEqual(rows[0]![1]![0]![0], [3, 4, 5]);
  assert.deepEqual(rows[1]![1]![0]![3], [45, 46, 47]);
  assert.throws(() => splitColumns(tensor(data, [2, 1, 4, 6]), 4), /cannot cut width 6 into 4/);
});

test('inkRuns finds the inked column runs', () => {
  assert.deepEqual(inkRuns(columnInk(strokes(28, 20, [2, 3, 4, 10, 11, 19]), 28, 20)), [
    [2, 5],
    [10, 12],
    [19, 20],
  ]);
  assert.deepEqual(inkRuns(Float64Array.of(0, 0, 0)), []);
});

test('locateSegments: clean digits, a broken stroke rejoined, touching digits parted', () => {
  const clean = columnInk(strokes(28, 84, [...range(5, 20), ...range(30, 40), ...range(55, 70)]), 28, 84);
  assert.deepEqual(locateSegments(clean, 3), [
    [5, 20],
    [30, 40],
    [55, 70],
  ]);
  // the middle digit has a one-column break: its two halves are closer than the digits are
  const broken = columnInk(
    strokes(28, 84, [...range(5, 20), ...range(30, 34), ...range(35, 40), ...range(55, 70)]),
    28,
    84,
  );
  assert.deepEqual(locateSegments(broken, 3), [
    [5, 20],
    [30, 40],
    [55, 70],
  ]);
  // the last two digits touch; the join is the faintest column (one row of ink only)
  const touching = strokes(28, 84, [...range(5, 20), ...range(30, 45), ...range(46, 60)]);
  touching[10 * 84 + 45] = 1;
  assert.deepEqual(locateSegments(columnInk(touching, 28, 84), 3), [
    [5, 20],
    [30, 45],
    [45, 60],
  ]);
  // a blank image: equal strips
  assert.deepEqual(locateSegments(new Float64Array(84), 3), [
    [0, 28],
    [28, 56],
    [56, 84],
  ]);
});

test('locateDigits cuts each digit out and centres it in its own cell', () => {
  const img = strokes(28, 84, [...range(5, 15), ...range(30, 34), ...range(60, 80)]);
  img[8 * 84 + 60] = 0.5;
  const cells = locateDigits(new Tensor(img, [1, 1, 28, 84]), 3, 28);
  assert.deepEqual(cells.shape, [1, 3, 1, 28, 28]);
  const ink = (k: number) => inkRuns(columnInk(cells.data as Float32Array, 28, 28, k * 28 * 28));
  assert.deepEqual(ink(0), [[9, 19]], '10 columns centred');
  assert.deepEqual(ink(1), [[12, 16]], '4 columns centred');
  assert.deepEqual(ink(2), [[4, 24]], '20 columns centred');
  assert.equal(cells.data[2 * 784 + 8 * 28 + 4], 0.5, 'pixels are copied, not thresholded');
});

test('centerDigit moves the inked columns to the middle, as the locate rule does', () => {
  const digit = strokes(28, 28, range(1, 9));
  assert.deepEqual(inkRuns(columnInk(centerDigit(digit, 28, 28), 28, 28)), [[10, 18]]);
  const blank = new Float32Array(784);
  assert.deepEqual(Array.from(centerDigit(blank, 28, 28)), Array.from(blank));
});
