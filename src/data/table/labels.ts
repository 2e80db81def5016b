/**
 * The label column of a table as class indices. Classes are declared as names (`classNames`) or a
 * count (`numClasses`), and a label outside them is an error naming its row and column (a 2-class
 * task with a label 100 is an error, not a 101-class head). Undeclared, labels that are all
 * integers are class indices 0..k-1, and labels that are all names become classes sorted by name;
 * a column mixing the two is an error. Tokens listed as missing (`?`, ``, `NA`, `NaN` by default)
 * mark a row without a label.
 *
 * @example
 * const c = new LabelColumn('iris.csv', 'species', {});
 * c.add('virginica', 1, 2); c.add('setosa', 2, 3); c.add('?', 3, 4); // 0, 1, null
 * c.finish(Int32Array.of(0, 1)); // { labels: Int32Array [1, 0], classNames: ['setosa', 'virginica'] }
 */
import { FormatError, ValueError } from '../../core/errors.js';
import { snippet } from '../../io/untrusted.js';
import { isNumberText } from './cells.js';
import { MAX_CLASSES } from '../sources/pool.js';

/** The classes a task declares: names, or a count of integer classes. */
export type DeclaredClasses = { names: readonly string[] } | { count: number } | undefined;

/** The tokens that mean "no label" unless a config says otherwise. */
export const DEFAULT_MISSING: readonly string[] = ['?', '', 'NA', 'NaN'];

interface Seen {
  code: number;
  row: number;
  line: number;
}

/**
 * Collects the labels of one column as they stream past, then maps them to classes.
 *
 * @example
 * const c = new LabelColumn('t.csv', 'y', { classes: { count: 2 } });
 * c.add('1', 1, 2); // 1
 * c.add('5', 2, 3); // throws: t.csv: row 2 (line 3), column "y": label 5 is outside the declared classes 0..1 (numClasses: 2)
 */
export class LabelColumn {
  private readonly missing: Set<string>;
  private readonly byName: Map<string, number> | null;
  private readonly tokens = new Map<string, Seen>();

  constructor(
    readonly file: string,
    readonly column: string,
    private readonly opts: {
      classes?: DeclaredClasses;
      missing?: readonly string[];
      /** Whose classes these are, for errors; default "the declared classes". */
      origin?: string;
    },
  ) {
    this.missing = new Set(opts.missing ?? DEFAULT_MISSING);
    const c = opts.classes;
    this.byName = c !== undefined && 'names' in c ? new Map(c.names.map((n, i) => [n, i])) : null;
  }

  private get origin(): string {
    return this.opts.origin ?? 'the declared classes';
  }

  private where(row: number, line: number): string {
    return `row ${row} (line ${line}), column "${snippet(this.column, 20)}"`;
  }

  /** The class of one label (final when classes are declared, provisional otherwise), or null when it is missing. */
  add(token: string, row: number, line: number): number | null {
    if (this.missing.has(token)) return null;
    const c = this.opts.classes;
    if (this.byName !== null) {
      const i = this.byName.get(token);
      if (i === undefined) {
        const names = [...this.byName.keys()];
        throw new FormatError(
          this.file,
          `${this.where(row, line)}: label "${snippet(token, 30)}" is not one of ${this.origin} (${names
            .slice(0, 8)
            .map((n) => snippet(n, 20))
            .join(', ')}${names.length > 8 ? ', …' : ''})`,
        );
      }
      return i;
    }
    if (c !== undefined && 'count' in c) {
      const v = isNumberText(token) ? Number(token) : NaN;
      if (!Number.isInteger(v) || v < 0 || v >= c.count)
        throw new FormatError(
          this.file,
          `${this.where(row, line)}: label ${isNumberText(token) ? token : `"${snippet(token, 30)}"`} is outside ${this.origin} 0..${c.count - 1}${this.opts.origin === undefined ? ` (numClasses: ${c.count})` : ''}`,
        );
      return v;
    }
    const seen = this.tokens.get(token);
    if (seen !== undefined) return seen.code;
    if (this.tokens.size >= MAX_CLASSES)
      throw new FormatError(
        this.file,
        `${this.where(row, line)}: more than ${MAX_CLASSES} distinct labels (is "${snippet(this.column, 20)}" a label column?)`,
      );
    const code = this.tokens.size;
    this.tokens.set(token, { code, row, line });
    return code;
  }

  /** The declared classes, or the classes the labels seen so far imply. */
  private inferred(): { remap: Int32Array; classNames: string[] } | null {
    if (this.opts.classes !== undefined) return null;
    const all = [...this.tokens.entries()];
    const numeric = all.filter(([t]) => isNumberText(t));
    const named = all.filter(([t]) => !isNumberText(t));
    if (numeric.length > 0 && named.length > 0) {
      const [n, ns] = numeric[0]!;
      const [t, ts] = named[0]!;
      throw new FormatError(
        this.file,
        `column "${snippet(this.column, 20)}" mixes class numbers (row ${ns.row}: ${n}) and class names (row ${ts.row}: "${snippet(t, 20)}"); declare classNames to read every label as a name`,
      );
    }
    const remap = new Int32Array(all.length);
    if (named.length > 0) {
      const names = named.map(([t]) => t).sort();
      const at = new Map(names.map((n, i) => [n, i]));
      for (const [t, s] of all) remap[s.code] = at.get(t)!;
      return { remap, classNames: names };
    }
    let max = -1;
    for (const [t, s] of all) {
      const v = Number(t);
      if (!Number.isInteger(v)) {
        throw new FormatError(
          this.file,
          `${this.where(s.row, s.line)}: label ${t} is not a class index (an integer from 0) or a class name`,
        );
      }
      if (v < 0 || v >= MAX_CLASSES)
        throw new FormatError(
          this.file,
          `${this.where(s.row, s.line)}: label ${t} is not a class index (an integer from 0 to ${MAX_CLASSES - 1})`,
        );
      remap[s.code] = v;
      max = Math.max(max, v);
    }
    return { remap, classNames: Array.from({ length: max + 1 }, (_, i) => String(i)) };
  }

  /**
   * The class of every kept row (given their codes from `add`, in place) and the class names.
   *
   * @example
   * column.finish(codes).classNames; // ['setosa', 'versicolor', 'virginica']
   */
  finish(codes: Int32Array): { labels: Int32Array; classNames: string[] } {
    const c = this.opts.classes;
    const inferred = this.inferred();
    if (inferred === null) {
      const names =
        c !== undefined && 'names' in c
          ? [...c.names]
          : Array.from({ length: (c as { count: number }).count }, (_, i) => String(i));
      return { labels: codes, classNames: names };
    }
    for (let i = 0; i < codes.length; i++) codes[i] = inferred.remap[codes[i]!]!;
    return { labels: codes, classNames: inferred.classNames };
  }
}

/**
 * The declared classes of a config: its `classNames` or its `numClasses`, at most one.
 *
 * @example
 * declaredClasses({ classNames: ['cat', 'dog'] }); // { names: ['cat', 'dog'] }
 */
export function declaredClasses(d: { classNames?: readonly string[]; numClasses?: number }): DeclaredClasses {
  if (d.classNames !== undefined && d.numClasses !== undefined)
    throw new ValueError('data', 'give classNames or numClasses, not both');
  if (d.classNames !== undefined) {
    const twice = d.classNames.find((n, i) => d.classNames!.indexOf(n) !== i);
    if (twice !== undefined) throw new ValueError('data.classNames', `"${snippet(twice, 30)}" is listed twice`);
    return { names: d.classNames };
  }
  return d.numClasses === undefined ? undefined : { count: d.numClasses };
}
