/**
 * A case written as a YAML (or JSON) file instead of a program: the (x, y) data as a `data:`
 * source (any of src/data/sources/: its labels are y, classes), the pipeline's stages in order,
 * each either learned (its own sub-task `data:` and a `model:`) or a hand-written rule (a function
 * exported by a JS module, with the type it gives), and the end-to-end model. Types flow along
 * the stages: a learned stage takes what the stage before it gives (the case's x for the first)
 * and gives a distribution over its sub-task's classes.
 *
 * ```yaml
 * name: digit-parity
 * data: { source: csv, file: parity.csv, label: parity }          # x → y
 * stages:
 *   - name: digit classifier
 *     data: { source: csv, file: digits.csv, label: digit }       # its sub-task
 *     model: { arch: mlp, hidden: [32] }
 *   - name: parity
 *     rule: { module: ./parity.mjs, export: parity, output: { kind: classes, n: 2 }, differentiable: true }
 * endToEnd: { arch: mlp, hidden: [32] }
 * ```
 * Paths in `data:` are read as in every config (from the working directory); `rule.module` is
 * found from the case file's directory, as an import would be.
 *
 * @example
 * const c = await loadYamlCase('cases/parity.yaml', 0);
 * c.output; // { kind: 'classes', n: 2 }
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { parseConfig, readConfigFile } from '../../config/index.js';
import type { TensorDataset } from '../../data/index.js';
import { loadedInputs, type DataInputs } from '../../data/index.js';
import { dataSchema } from '../../data/sources/schema.js';
import { loadData, type LoadedData } from '../../data/sources/load.js';
import { Tensor } from '../../tensor/index.js';
import { EndToEndModel } from '../models.js';
import { Pipeline } from '../pipeline.js';
import { learnedStage, ruleStage, type Stage } from '../stage.js';
import { sampleShape, type ValueType } from '../value-type.js';
import type { CasePart, NetBuilder, StudyCase } from './case.js';
import { caseModelSchema, caseNet } from './case-models.js';
import { checkCase, checkValueType } from './check-case.js';
import { importModule } from './import-module.js';
import { nullRecord, recordFrom } from '../../core/safe-keys.js';

const positiveInt = z.number().int().positive();

const stageSchema = z
  .strictObject({
    name: z.string().min(1),
    /** A learned stage's sub-task data. */
    data: dataSchema.optional(),
    /** A learned stage's network (default: mlp with the study's width). */
    model: caseModelSchema.optional(),
    /** A hand-written stage. */
    rule: z
      .strictObject({
        module: z.string().min(1),
        export: z.string().min(1).default('default'),
        output: z.unknown(),
        differentiable: z.boolean().default(false),
      })
      .optional(),
  })
  .refine((s) => (s.data === undefined) !== (s.rule === undefined), {
    message: 'a stage with `data` (learned) or `rule` (hand-written), not both',
  })
  .refine((s) => s.rule === undefined || s.model === undefined, { message: 'a rule stage has no model' });

/** The YAML case file's schema. */
export const yamlCaseSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1).optional(),
  /** The (x, y) data: y are its labels. */
  data: dataSchema,
  stages: z.array(stageSchema).min(1),
  endToEnd: caseModelSchema.prefault({}),
  /** The training sizes of the default study, strictly increasing. */
  sizes: z
    .array(positiveInt)
    .min(1)
    .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), { message: 'strictly increasing sizes' })
    .optional(),
  subtaskExamples: positiveInt.optional(),
});
export type YamlCase = z.output<typeof yamlCaseSchema>;

/** What a YAML case's pools hold: the (x, y) data and each learned stage's sub-task data, loaded once per seed. */
interface YamlPools {
  xy: LoadedData;
  subtasks: Record<string, LoadedData>;
}

/** `n` examples drawn without replacement (seeded) from `ds`; all of them when it has fewer. */
function draw(ds: TensorDataset, n: number, seed: number): TensorDataset {
  return ds.subset(new Rng(seed).permutation(ds.length).subarray(0, Math.min(n, ds.length)));
}

const typeOf = (shape: readonly number[]): ValueType =>
  shape.length === 3
    ? { kind: 'image', shape: [shape[0]!, shape[1]!, shape[2]!] }
    : { kind: 'features', shape: [...shape] };

async function loadPools(spec: YamlCase, seed: number): Promise<YamlPools> {
  const subtasks = nullRecord<LoadedData>();
  for (const s of spec.stages) if (s.data !== undefined) subtasks[s.name] = await loadData(s.data, seed);
  return { xy: await loadData(spec.data, seed), subtasks };
}

/**
 * The case a YAML or JSON file describes, for a study with `seed` (its data is loaded now, to
 * learn the types, and reused by the study with that seed). Every problem is one error naming the file.
 *
 * @example
 * const c = await loadYamlCase('/home/me/parity.yaml', 0);
 */
export async function loadYamlCase(file: string, seed: number): Promise<StudyCase> {
  const spec = parseConfig(yamlCaseSchema, readConfigFile(file), file);
  const names = spec.stages.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    throw new ValueError(file, `stages: the name '${twice}' is given twice (each stage has its own)`);
  const loaded = new Map<number, Promise<YamlPools>>([[seed, loadPools(spec, seed)]]);
  const pools = (s: number): Promise<YamlPools> => {
    if (!loaded.has(s)) loaded.set(s, loadPools(spec, s));
    return loaded.get(s)!;
  };
  const first = await pools(seed);
  const input = typeOf(first.xy.featureShape);
  const output: ValueType = { kind: 'classes', n: first.xy.classes };

  // each stage's types and how to build it; rules are imported once
  const builders: ((hidden: number, net?: NetBuilder) => Stage)[] = [];
  const modules: string[] = [];
  let current = input;
  for (const [i, s] of spec.stages.entries()) {
    const at = `stages[${i}] '${s.name}'`;
    const from = current;
    if (s.rule !== undefined) {
      const rule = s.rule;
      const path = resolve(dirname(file), rule.module);
      modules.push(path);
      const mod = await importModule(path);
      const f = mod[rule.export];
      if (typeof f !== 'function')
        throw new ValueError(file, `${at}: rule.module ${path} has no function export '${rule.export}'`);
      const out = checkValueType(rule.output, `${at}: rule.output`, file);
      builders.push(() =>
        ruleStage({
          name: s.name,
          input: from,
          output: out,
          differentiable: rule.differentiable,
          run: (x) => {
            const y: unknown = Reflect.apply(f, undefined, [x]);
            if (!(y instanceof Tensor))
              throw new ValueError(file, `${at}: the rule '${rule.export}' returned no Tensor`);
            return y;
          },
        }),
      );
      current = out;
    } else {
      const sub = first.subtasks[s.name]!;
      const want = sampleShape(from);
      if (sub.featureShape.length !== want.length || !sub.featureShape.every((d, k) => d === want[k]))
        throw new ValueError(
          file,
          `${at}: its data has examples of shape [${sub.featureShape.join(',')}], but the stage takes [${want.join(',')}] (what the stage before it gives)`,
        );
      const out: ValueType = { kind: 'classes', n: sub.classes };
      const model = s.model ?? { arch: 'mlp' as const };
      builders.push((hidden, net) =>
        learnedStage({
          name: s.name,
          input: from,
          output: out,
          // --arch: the zoo network for a stage that reads images
          create: () =>
            net !== undefined && want.length === 3 ? net(want, sub.classes) : caseNet(model, want, sub.classes, hidden),
        }),
      );
      current = out;
    }
  }

  const inputs = async (s: number): Promise<DataInputs> => {
    const p = await pools(s);
    const parts = [
      loadedInputs(spec.data, p.xy),
      ...spec.stages.flatMap((st) => (st.data === undefined ? [] : [loadedInputs(st.data, p.subtasks[st.name]!)])),
    ];
    return {
      files: [resolve(file), ...modules, ...parts.flatMap((q) => q.files)],
      builtin: [...new Map(parts.flatMap((q) => q.builtin ?? []).map((b) => [b.name, b])).values()],
    };
  };
  const raw = {
    name: spec.name,
    description: spec.description ?? `${first.xy.description} → ${output.n} classes, through ${names.join(' → ')}`,
    metric: 'error rate',
    input,
    output,
    defaultSizes: spec.sizes ?? [100, 200, 400, 800],
    defaultSubtaskExamples: spec.subtaskExamples ?? 300,
    pools,
    examples: (p: YamlPools, part: CasePart, n: number, s: number) => draw(p.xy[part], n, s),
    pipeline: (hidden: number, net?: NetBuilder) => new Pipeline(builders.map((b) => b(hidden, net))),
    subtaskData: (p: YamlPools, n: number, s: number) =>
      recordFrom(Object.entries(p.subtasks).map(([name, d]) => [name, draw(d.train, n, s)])),
    endToEnd: (hidden: number, net?: NetBuilder) =>
      new EndToEndModel(
        net?.(first.xy.featureShape, output.n) ?? caseNet(spec.endToEnd, first.xy.featureShape, output.n, hidden),
        output,
      ),
    dataInputs: inputs,
  };
  return checkCase(raw, file);
}
