/**
 * Runtime type descriptors of the values that flow between pipeline stages. A value is always a
 * batch: a Tensor whose first axis is the batch and whose remaining axes follow from its type.
 *
 * @example
 * const page: ValueType = { kind: 'image', shape: [1, 28, 56] };
 * const halves: ValueType = { kind: 'sequence', length: 2, item: { kind: 'image', shape: [1, 28, 28] } };
 * describeType(halves);  // 'sequence of 2 × image [1,28,28]'
 * sampleShape(halves);   // [2, 1, 28, 28]
 */

/** The type of one sample of a value passed between stages. */
export type ValueType =
  /** A grey-scale or colour image, channels × height × width. */
  | { kind: 'image'; shape: readonly [number, number, number] }
  /** A vector (or array) of numeric features, e.g. a table row: [D]. */
  | { kind: 'features'; shape: readonly number[] }
  /** A probability distribution over n classes (each row sums to 1). */
  | { kind: 'classes'; n: number }
  /** One real number per sample. */
  | { kind: 'scalar' }
  /** A fixed number of items of one type per sample (the digits found in an image). */
  | { kind: 'sequence'; length: number; item: ValueType };

/**
 * A short human-readable form of a type, for error messages.
 *
 * @example
 * describeType({ kind: 'classes', n: 10 }); // 'classes (10)'
 */
export function describeType(t: ValueType): string {
  switch (t.kind) {
    case 'image':
      return `image [${t.shape.join(',')}]`;
    case 'features':
      return `features [${t.shape.join(',')}]`;
    case 'classes':
      return `classes (${t.n})`;
    case 'scalar':
      return 'scalar';
    case 'sequence':
      return `sequence of ${t.length} × ${describeType(t.item)}`;
  }
}

/**
 * Whether two types describe the same values.
 *
 * @example
 * sameType({ kind: 'scalar' }, { kind: 'scalar' }); // true
 */
export function sameType(a: ValueType, b: ValueType): boolean {
  switch (a.kind) {
    case 'image':
    case 'features':
      return b.kind === a.kind && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    case 'classes':
      return b.kind === 'classes' && a.n === b.n;
    case 'scalar':
      return b.kind === 'scalar';
    case 'sequence':
      return b.kind === 'sequence' && a.length === b.length && sameType(a.item, b.item);
  }
}

/**
 * The shape of one sample of a value of this type (the tensor's shape without the batch axis).
 *
 * @example
 * sampleShape({ kind: 'scalar' });            // []
 * sampleShape({ kind: 'classes', n: 19 });    // [19]
 */
export function sampleShape(t: ValueType): number[] {
  switch (t.kind) {
    case 'image':
    case 'features':
      return [...t.shape];
    case 'classes':
      return [t.n];
    case 'scalar':
      return [];
    case 'sequence':
      return [t.length, ...sampleShape(t.item)];
  }
}
