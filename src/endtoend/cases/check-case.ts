/**
 * Checking a case that comes from outside (a user's JS module, or one built from a YAML file):
 * nothing in it is trusted. Its shape is checked when it is loaded (each missing or wrong member
 * named, with what was expected), defaults are filled in (metric, loss and error from the output
 * type, sizes), its pipeline and end-to-end model are built once to check that their types fit
 * the case's, and every value its functions return later is checked again as it comes back.
 *
 * @example
 * const c = checkCase(mod.default, '/home/me/parity.mjs');
 * // ValueError: /home/me/parity.mjs: case.pipeline: expected a function (hidden) => Pipeline, found undefined
 */
import { ValueError } from '../../core/errors.js';
import { describeValue, unknownKeyText } from '../../config/index.js';
import { TensorDataset, type DataInputs } from '../../data/index.js';
import { Module } from '../../nn/index.js';
import { Tensor } from '../../tensor/index.js';
import { classNll, errorRate, meanAbsoluteError, scaledMse } from '../objectives.js';
import { Pipeline } from '../pipeline.js';
import { hybridFrom } from '../pipeline-model.js';
import { describeType, sameType, sampleShape, type ValueType } from '../value-type.js';
import type { CasePart, StudyCase } from './case.js';
import { nullRecord } from '../../core/safe-keys.js';

type Fn = (...args: unknown[]) => unknown;
type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);
const isFn = (v: unknown): v is Fn => typeof v === 'function';
const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The members a case may have (EndToEndCase's). */
const KNOWN = [
  'name',
  'description',
  'metric',
  'input',
  'output',
  'defaultSizes',
  'defaultSubtaskExamples',
  'pools',
  'examples',
  'pipeline',
  'subtaskData',
  'endToEnd',
  'loss',
  'error',
  'dataInputs',
];

/** Training sizes of a user's case that gives none. */
export const DEFAULT_CASE_SIZES: readonly number[] = [100, 200, 400, 800];
/** Sub-task examples of a user's case that gives none. */
export const DEFAULT_CASE_SUBTASK_EXAMPLES = 300;

/**
 * A value type from untrusted data (a case's `input`, a YAML stage's `output`), or a ValueError
 * naming `at` and what was expected.
 *
 * @example
 * checkValueType({ kind: 'classes', n: 2 }, 'case.output', 'parity.mjs'); // { kind: 'classes', n: 2 }
 */
export function checkValueType(v: unknown, at: string, where: string): ValueType {
  const bad = (what: string): never => {
    throw new ValueError(where, `${at}: ${what}`);
  };
  if (!isPlain(v))
    return bad(
      `expected a value type such as { kind: 'image', shape: [1, 28, 28] } or { kind: 'classes', n: 10 }, found ${describeValue(v)}`,
    );
  const shape = (n: number | null): number[] => {
    const s = v.shape;
    if (!Array.isArray(s) || (n !== null && s.length !== n) || s.length === 0 || !s.every(positiveInt))
      return bad(`shape: expected ${n === null ? 'a list of' : n} positive integers, found ${describeValue(s)}`);
    return s.map(Number);
  };
  switch (v.kind) {
    case 'image': {
      const [c = 1, h = 1, w = 1] = shape(3);
      return { kind: 'image', shape: [c, h, w] };
    }
    case 'features':
      return { kind: 'features', shape: shape(null) };
    case 'classes':
      if (!positiveInt(v.n) || v.n < 2) return bad(`n: expected an integer of at least 2, found ${describeValue(v.n)}`);
      return { kind: 'classes', n: v.n };
    case 'scalar':
      return { kind: 'scalar' };
    case 'sequence':
      if (!positiveInt(v.length)) return bad(`length: expected a positive integer, found ${describeValue(v.length)}`);
      return { kind: 'sequence', length: v.length, item: checkValueType(v.item, `${at}.item`, where) };
    default:
      return bad(`kind: expected image, features, classes, scalar or sequence, found ${describeValue(v.kind)}`);
  }
}

/** The shape of a dataset's x for `type`, or a message of what is wrong. */
function datasetProblem(ds: TensorDataset, type: ValueType): string | null {
  const want = sampleShape(type);
  const got = ds.featureShape;
  if (got.length !== want.length || !got.every((d, i) => d === want[i]))
    return `its examples have shape [${got.join(',')}], but ${describeType(type)} needs [${want.join(',')}]`;
  return null;
}

/**
 * A case from an untrusted object (see the module comment). `where` names its source in errors.
 *
 * @example
 * const c = checkCase(imported.default, 'parity.mjs');
 */
export function checkCase(raw: unknown, where: string): StudyCase {
  const bad = (what: string): never => {
    throw new ValueError(where, what);
  };
  if (!isPlain(raw))
    return bad(
      `the case must be an object { name, input, output, pools, examples, pipeline, subtaskData, endToEnd, ... }, found ${describeValue(raw)}`,
    );
  for (const key of Object.keys(raw)) if (!KNOWN.includes(key)) bad(`case: ${unknownKeyText(key, KNOWN)}`);
  const fn = (name: string, signature: string): Fn => {
    const f = raw[name];
    return isFn(f) ? f : bad(`case.${name}: expected a function ${signature}, found ${describeValue(f)}`);
  };
  const optionalFn = (name: string, signature: string): Fn | undefined =>
    raw[name] === undefined ? undefined : fn(name, signature);
  const text = (name: string, fallback?: string): string => {
    const v = raw[name] ?? fallback;
    if (typeof v !== 'string' || v.trim() === '')
      return bad(`case.${name}: expected a non-empty string, found ${describeValue(raw[name])}`);
    return v;
  };
  const name = text('name');
  const input = checkValueType(raw.input, 'case.input', where);
  const output = checkValueType(raw.output, 'case.output', where);
  const given = raw.defaultSizes ?? DEFAULT_CASE_SIZES;
  const sizes =
    Array.isArray(given) && given.length > 0 && given.every((s, i) => positiveInt(s) && (i === 0 || s > given[i - 1]))
      ? given.map(Number)
      : bad(
          `case.defaultSizes: expected strictly increasing positive integers, found ${describeValue(raw.defaultSizes)}`,
        );
  const subtask = raw.defaultSubtaskExamples ?? DEFAULT_CASE_SUBTASK_EXAMPLES;
  if (!positiveInt(subtask))
    bad(`case.defaultSubtaskExamples: expected a positive integer, found ${describeValue(raw.defaultSubtaskExamples)}`);
  const pools = fn('pools', '(seed) => the data');
  const examples = fn('examples', '(pools, part, n, seed) => TensorDataset');
  const pipeline = fn('pipeline', '(hidden) => Pipeline');
  const subtaskData = fn('subtaskData', '(pools, n, seed) => { [stage name]: TensorDataset }');
  const endToEnd = fn('endToEnd', '(hidden) => Module');
  const loss = optionalFn('loss', '(pred, target) => Tensor');
  const error = optionalFn('error', '(pred, target) => number');
  const dataInputs = optionalFn('dataInputs', '(seed) => { files, builtin }');
  if ((loss === undefined || error === undefined) && output.kind !== 'classes' && output.kind !== 'scalar')
    bad(
      `case.${loss === undefined ? 'loss' : 'error'}: needed for an output of ${describeType(output)} (defaults exist for classes and scalar)`,
    );
  const call = (f: Fn, ...args: unknown[]): unknown => Reflect.apply(f, raw, args);

  const checkPipeline = (v: unknown): Pipeline => {
    if (!(v instanceof Pipeline))
      return bad(
        `case.pipeline(hidden) returned ${describeValue(v)}, expected a Pipeline (new Pipeline([...stages]) from polytask/endtoend)`,
      );
    if (!sameType(v.input, input) || !sameType(v.output, output))
      return bad(
        `case.pipeline(hidden): the pipeline takes ${describeType(v.input)} and gives ${describeType(v.output)}, but the case's input is ${describeType(input)} and its output ${describeType(output)}`,
      );
    return v;
  };
  const checkModule = (v: unknown): Module => {
    if (!(v instanceof Module))
      return bad(
        `case.endToEnd(hidden) returned ${describeValue(v)}, expected a Module (e.g. new EndToEndModel(mlp(...), output))`,
      );
    return v;
  };
  const checkExamples = (v: unknown, part: CasePart, n: number): TensorDataset => {
    const at = `case.examples(pools, '${part}', ${n}, seed)`;
    if (!(v instanceof TensorDataset)) return bad(`${at} returned ${describeValue(v)}, expected a TensorDataset`);
    const problem = datasetProblem(v, input);
    if (problem !== null) return bad(`${at}: ${problem} (the case's input)`);
    if (part === 'train' && v.length < n)
      return bad(`${at} returned ${v.length} examples; the study needs ${n} (lower the largest size)`);
    return v;
  };
  const checkSubtasks = (v: unknown, p: Pipeline): Record<string, TensorDataset> => {
    if (!isPlain(v))
      return bad(`case.subtaskData returned ${describeValue(v)}, expected { [stage name]: TensorDataset }`);
    for (const stage of p.learned()) {
      const ds = v[stage.name];
      if (!(ds instanceof TensorDataset))
        return bad(
          `case.subtaskData: no TensorDataset for the learned stage '${stage.name}' (found ${describeValue(ds)})`,
        );
      const problem = datasetProblem(ds, stage.input);
      if (problem !== null)
        return bad(`case.subtaskData: the data of stage '${stage.name}': ${problem} (the stage's input)`);
    }
    const out = nullRecord<TensorDataset>();
    for (const [k, ds] of Object.entries(v)) if (ds instanceof TensorDataset) out[k] = ds;
    return out;
  };

  // built once now, so a case whose types do not fit fails at load, before any run starts
  const probe = checkPipeline(call(pipeline, 8));
  checkModule(call(endToEnd, 8));
  const classes = output.kind === 'classes';
  return {
    name,
    description: text('description', name),
    metric: text('metric', classes ? 'error rate' : 'mean absolute error'),
    input,
    output,
    defaultSizes: sizes,
    defaultSubtaskExamples: Number(subtask),
    pools: (seed) => Promise.resolve(call(pools, seed)),
    examples: (p, part, n, seed) => checkExamples(call(examples, p, part, n, seed), part, n),
    pipeline: (hidden, net) => checkPipeline(call(pipeline, hidden, net)),
    subtaskData: (p, n, seed) => checkSubtasks(call(subtaskData, p, n, seed), probe),
    endToEnd: (hidden, net) => checkModule(call(endToEnd, hidden, net)),
    loss: (pred, target) => {
      if (loss === undefined) return classes ? classNll(pred, target) : scaledMse(pred, target, 1);
      const v = call(loss, pred, target);
      return v instanceof Tensor ? v : bad(`case.loss returned ${describeValue(v)}, expected a Tensor`);
    },
    error: (pred, target) => {
      if (error === undefined) return classes ? errorRate(pred, target) : meanAbsoluteError(pred, target);
      const v = call(error, pred, target);
      return typeof v === 'number' ? v : bad(`case.error returned ${describeValue(v)}, expected a number`);
    },
    dataInputs: async (seed): Promise<DataInputs> => {
      if (dataInputs === undefined) return { files: [] };
      const v: unknown = await call(dataInputs, seed);
      if (!isPlain(v) || !Array.isArray(v.files) || !v.files.every((f) => typeof f === 'string'))
        return bad(`case.dataInputs returned ${describeValue(v)}, expected { files: [paths], builtin?: [...] }`);
      const builtin = Array.isArray(v.builtin) ? v.builtin.filter(isPlain) : [];
      return {
        files: v.files.map(String),
        builtin: builtin.map((b) => ({
          name: String(b.name),
          ...(b.params === undefined ? {} : { params: b.params }),
        })),
      };
    },
  };
}

/**
 * Checks what a case's data (`pools`, what its `pools(seed)` gave) gives before a study trains on
 * it: a few (x, y) examples of each part and the sub-task data of every learned stage, against the
 * case's types; with `hybrid`, that the pipeline can be fine-tuned end to end. The study itself
 * checks every draw again (checkCase's wrappers); this is what makes a bad case fail before a run
 * starts.
 *
 * @example
 * checkCaseData(userCase, await userCase.pools(0), 0, { hybrid: true });
 */
export function checkCaseData(c: StudyCase, pools: unknown, seed: number, opts: { hybrid?: boolean } = {}): void {
  if (opts.hybrid === true) {
    try {
      hybridFrom(c.pipeline(8));
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^hybridFrom: /, '') : String(err);
      throw new ValueError(
        `case '${c.name}'`,
        `no hybrid: ${why} (set hybrid: false, or mark the rule differentiable)`,
      );
    }
  }
  c.examples(pools, 'train', 1, seed);
  c.examples(pools, 'test', 1, seed);
  c.subtaskData(pools, 1, seed);
}
