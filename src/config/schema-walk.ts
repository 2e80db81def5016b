/**
 * Finding the part of a zod schema that a config path points at, to tell the user which keys a
 * mapping allows when they wrote one it does not. zod reports the unknown key but not the allowed
 * ones; this walks the schema's definition (objects, lists, records, unions by discriminator, and
 * the wrappers optional, default, nullable, pipe, preprocess, lazy) alongside the config value.
 *
 * @example
 * allowedKeys(trainConfigSchema, ['training'], raw); // ['epochs', 'batchSize', 'clipGradNorm', ...]
 */
import type { z } from 'zod';

/** The little of zod's internal definition that the walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  getter?: () => z.ZodType;
  format?: string;
  checks?: { _zod: { def: { format?: string } } }[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema with its wrappers (optional, default, ...) taken off. */
function unwrap(s: z.ZodType): z.ZodType {
  for (let cur = s; ;) {
    const d = defOf(cur);
    // a pipe from a transform is z.preprocess: the schema that validates is its output side
    const next =
      d.type === 'pipe'
        ? defOf(d.in!).type === 'transform'
          ? d.out
          : d.in
        : d.type === 'lazy'
          ? d.getter?.()
          : ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type)
            ? d.innerType
            : undefined;
    if (next === undefined) return cur;
    cur = next;
  }
}

/** The union member that `value` selects: by discriminator, or the only object member with all its keys. */
function pickOption(d: Def, value: unknown): z.ZodType | undefined {
  const options = (d.options ?? []).map(unwrap);
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (d.discriminator !== undefined) {
    return options.find((o) => {
      const key = defOf(o).shape?.[d.discriminator!];
      return (
        key !== undefined &&
        (key as unknown as { safeParse(x: unknown): { success: boolean } }).safeParse(v[d.discriminator!]).success
      );
    });
  }
  const objects = options.filter((o) => defOf(o).type === 'object');
  return objects.length === 1 ? objects[0] : undefined;
}

/**
 * The schema at `path` inside `schema`, following `value` through unions; undefined when the path
 * leaves the schema.
 *
 * @example
 * schemaAt(schema, ['model', 'hidden', 0], raw);
 */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  let v = value;
  for (const key of path) {
    if (s === undefined) return undefined;
    let d = defOf(s);
    if (d.type === 'union') {
      s = pickOption(d, v);
      if (s === undefined) return undefined;
      d = defOf(s);
    }
    const next: z.ZodType | undefined =
      d.type === 'object'
        ? d.shape?.[String(key)]
        : d.type === 'array'
          ? d.element
          : d.type === 'record'
            ? d.valueType
            : undefined;
    s = next === undefined ? undefined : unwrap(next);
    v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  }
  if (s !== undefined && defOf(s).type === 'union') return pickOption(defOf(s), v) ?? s;
  return s;
}

/**
 * The keys the mapping at `path` allows, in schema order; [] when it is not a known mapping.
 *
 * @example
 * allowedKeys(schema, [], raw); // top-level keys
 */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): string[] {
  const s = schemaAt(schema, path, value);
  const d = s === undefined ? undefined : defOf(s);
  return d?.type === 'object' ? Object.keys(d.shape ?? {}) : [];
}

/**
 * Whether the field at `path` wants an integer (`z.int()`, `z.number().int()`): zod reports a
 * string there as "expected number", which is less than the schema knows.
 *
 * @example
 * wantsInteger(trainConfigSchema, ['training', 'epochs'], raw); // true
 */
export function wantsInteger(schema: z.ZodType, path: readonly PropertyKey[], value: unknown): boolean {
  const s = schemaAt(schema, path, value);
  const d = s === undefined ? undefined : defOf(s);
  if (d?.type !== 'number') return false;
  return (d.format ?? '').includes('int') || (d.checks ?? []).some((c) => (c._zod.def.format ?? '').includes('int'));
}
