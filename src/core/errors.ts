/**
 * Error types. Every message names the thing that is wrong and what was expected, e.g.
 * `matmul: inner dimensions differ: [4,5] @ [6,3]`.
 *
 * @example
 * throw new ShapeError('matmul', 'inner dimensions differ: [4,5] @ [6,3]');
 */

/** Base class of every error polytask throws on purpose; the CLI prints its message on one line. */
export class PolytaskError extends Error {
  override name = 'PolytaskError';
}

/** Shapes that do not fit an op: `op: detail`. */
export class ShapeError extends PolytaskError {
  override name = 'ShapeError';
  constructor(op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/** A tensor of the wrong dtype for an op. */
export class DTypeError extends PolytaskError {
  override name = 'DTypeError';
  constructor(op: string, detail: string) {
    super(`${op}: ${detail}`);
  }
}

/** A value outside what an op or function accepts (negative size, non-finite number, bad option). */
export class ValueError extends PolytaskError {
  override name = 'ValueError';
  constructor(where: string, detail: string) {
    super(`${where}: ${detail}`);
  }
}

/** A file that cannot be read as the format it claims: names the file and the field. */
export class FormatError extends PolytaskError {
  override name = 'FormatError';
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}
