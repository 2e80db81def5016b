/**
 * What a table cell's text means: a decimal number (as written in CSV, TSV or JSON), or not.
 *
 * @example
 * isNumberText('-1.5e3'); // true
 * isNumberText('NaN');    // false: NaN and Inf are not numbers a feature may hold
 */

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Whether a cell's (trimmed) text is a decimal number.
 *
 * @example
 * isNumberText('3'); // true
 */
export function isNumberText(cell: string): boolean {
  return NUMBER.test(cell);
}
