/**
 * A parser for the small subset of Python literals that NumPy writes in an NPY header: dicts,
 * tuples, lists, strings, integers, True, False and None. Anything else is a FormatError; nesting
 * is capped so a hostile header cannot exhaust the stack.
 *
 * @example
 * parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 'a.npy');
 * // Map { 'descr' => '<f4', 'fortran_order' => false, 'shape' => [2, 3] }
 */
import { FormatError } from '../core/errors.js';

/** A parsed literal: tuples and lists become arrays, dicts become Maps (keys of any literal type). */
export type PyValue = string | number | boolean | null | PyValue[] | Map<PyValue, PyValue>;

const MAX_DEPTH = 32;

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  fail(what: string): never {
    throw new FormatError(
      this.file,
      `header: ${what} at character ${this.pos} of ${JSON.stringify(this.text.slice(0, 80))}`,
    );
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const ch = this.peek();
    if (ch === '{') return this.dict(depth);
    if (ch === '(') return this.sequence(')', depth);
    if (ch === '[') return this.sequence(']', depth);
    if (ch === "'" || ch === '"') return this.string(ch);
    return this.atom();
  }

  private dict(depth: number): Map<PyValue, PyValue> {
    this.pos++;
    const out = new Map<PyValue, PyValue>();
    while (this.peek() !== '}') {
      const key = this.value(depth + 1);
      this.expect(':');
      out.set(key, this.value(depth + 1));
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') this.fail("expected ',' or '}'");
    }
    this.pos++;
    return out;
  }

  private sequence(close: string, depth: number): PyValue[] {
    this.pos++;
    const out: PyValue[] = [];
    while (this.peek() !== close) {
      if (this.peek() === '') this.fail(`expected '${close}'`);
      out.push(this.value(depth + 1));
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    return out;
  }

  private string(quote: string): string {
    const start = ++this.pos;
    let out = '';
    while (this.pos < this.text.length && this.text[this.pos] !== quote) {
      // NumPy never escapes inside descr strings; a backslash keeps the next character literally.
      if (this.text[this.pos] === '\\') this.pos++;
      out += this.text[this.pos] ?? '';
      this.pos++;
    }
    if (this.pos >= this.text.length) {
      this.pos = start;
      this.fail('unterminated string');
    }
    this.pos++;
    return out;
  }

  private atom(): PyValue {
    // Python 2 NumPy wrote shapes as longs: (3L, 4L).
    const match = /^(?:True|False|None|[+-]?\d+L?)/.exec(this.text.slice(this.pos, this.pos + 32));
    if (match === null) this.fail('expected a literal');
    this.pos += match[0].length;
    if (match[0] === 'True') return true;
    if (match[0] === 'False') return false;
    if (match[0] === 'None') return null;
    return Number(match[0].replace('L', ''));
  }

  atEnd(): boolean {
    return this.peek() === '';
  }
}

/**
 * Parses one Python literal occupying the whole of `text` (surrounding whitespace allowed).
 *
 * @example
 * parsePyLiteral('(3,)', 'x.npy'); // [3]
 */
export function parsePyLiteral(text: string, file: string): PyValue {
  const parser = new Parser(text, file);
  const value = parser.value(0);
  if (!parser.atEnd()) parser.fail('unexpected text after the literal');
  return value;
}
