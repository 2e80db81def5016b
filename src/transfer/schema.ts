/**
 * Parsing plain JSON with a zod schema into a polytask ValueError: one line naming each field
 * that is wrong (`source.epochs: expected an integer >= 1`), as the CLI prints errors.
 *
 * @example
 * const config = parseWith(studyConfigSchema, JSON.parse(text), 'transfer study config');
 */
import type { z } from 'zod';
import { ValueError } from '../core/errors.js';

/**
 * `schema.parse(value)`, with failures turned into a ValueError that lists every issue with its path.
 *
 * @example
 * parseWith(z.object({ n: z.number() }), { n: 'x' }, 'config'); // throws "config: n: Invalid input: expected number, received string"
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => (i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`));
  throw new ValueError(where, issues.join('; '));
}
