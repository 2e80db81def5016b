/**
 * Imports point down only (DESIGN.md): each folder of src/ may import the folders listed for it.
 * A folder not listed here fails the test until it is placed in the hierarchy. Backends register
 * themselves with backend/ (which imports none of them), and no module of src/ is part of a
 * runtime import cycle (checked on the compiled JavaScript, where type-only imports are gone).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = path.resolve(here, '../../src');
const compiled = path.resolve(here, '../src');

/** What each of the three studies may import: everything below them (and the backends, to register them). */
const belowStudies = [
  'core',
  'backend',
  'backends',
  'tensor',
  'nn',
  'optim',
  'io',
  'data',
  'train',
  'models',
  'config',
  'study',
];

const lower: Record<string, string[]> = {
  core: [],
  backend: ['core'],
  backends: ['core', 'backend'],
  tensor: ['core', 'backend'],
  nn: ['core', 'backend', 'tensor'],
  optim: ['core', 'backend', 'tensor', 'nn'],
  io: ['core', 'tensor'],
  config: ['core', 'io'],
  data: ['core', 'tensor', 'io'],
  train: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data'],
  models: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train'],
  study: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'models'],
  executors: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'models', 'study', 'config'],
  transfer: belowStudies,
  multitask: belowStudies,
  endtoend: belowStudies,
  // the report reads the studies' own result types, so it sits above them
  report: ['core', 'io', 'study', 'transfer', 'multitask', 'endtoend'],
  cli: [...belowStudies, 'executors', 'report', 'transfer', 'multitask', 'endtoend'],
};

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

test('src imports point down only', () => {
  const violations: string[] = [];
  for (const file of tsFiles(src)) {
    const rel = path.relative(src, file);
    const top = rel.split(path.sep)[0]!;
    if (!rel.includes(path.sep)) continue; // src/index.ts and src/main.ts assemble everything
    const allowed = lower[top];
    if (allowed === undefined) {
      violations.push(`${rel}: folder '${top}' has no place in the import hierarchy`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)(?:[^'"]*?from)?\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), m[1]!));
      if (target.startsWith('..')) {
        violations.push(`${rel}: imports outside src: ${m[1]}`);
        continue;
      }
      const dest = target.split(path.sep)[0]!;
      if (dest !== top && !allowed.includes(dest)) violations.push(`${rel}: ${top} must not import ${dest} (${m[1]})`);
    }
  }
  assert.deepEqual(violations, []);
});

/** Every module a file loads at run time (type-only imports are erased), transitively. */
function runtimeImports(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)(?:[^'"]*?from)?\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

test('the package root loads the engine and training layers only', () => {
  // The studies are subpath imports: their schemas (zod) and code would enlarge the heap that every
  // garbage collection marks, in every process that only wants tensors.
  const { files, packages } = runtimeImports(path.join(src, 'index.ts'));
  const studies = [...files]
    .map((f) => path.relative(src, f).split(path.sep)[0]!)
    .filter((top) => ['multitask', 'transfer', 'endtoend', 'report', 'cli'].includes(top));
  assert.deepEqual([...new Set(studies)], []);
  assert.ok(!packages.has('zod'), `the root imports ${[...packages].join(', ')}`);
  // the model zoo is the subpath `polytask/models`
  const zoo = [...files].filter((f) => path.relative(src, f).startsWith(path.join('models', 'zoo')));
  assert.deepEqual(zoo, []);
});

test('package.json exports the model zoo as polytask/models', () => {
  const pkg = JSON.parse(readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as {
    exports: Record<string, { import: string }>;
  };
  assert.equal(pkg.exports['./models']?.import, './dist/src/models/zoo/index.js');
});

test('outside tensor/, tensors come from tensor/index.js or creation.js, which attach the op methods', () => {
  // tensor/tensor.ts declares the methods and tensor/methods.ts attaches them; a module that loads
  // only tensor.js (or an ops/ file) at run time could meet tensors without their methods.
  const bad: string[] = [];
  for (const file of tsFiles(src)) {
    const rel = path.relative(src, file);
    if (rel.startsWith(`tensor${path.sep}`)) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)(?:[^'"]*?from)?\s+['"](\.[^'"]+)['"]/gm)) {
      const target = path
        .relative(src, path.resolve(path.dirname(file), m[1]!))
        .split(path.sep)
        .join('/');
      if (target.startsWith('tensor/') && !['tensor/index.js', 'tensor/creation.js'].includes(target))
        bad.push(`${rel}: ${m[1]}`);
    }
  }
  assert.deepEqual(bad, []);
});

/** The relative imports of one compiled module, as absolute paths. */
function jsImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.[^'"]+)['"]/gm)].map((m) =>
    path.resolve(path.dirname(file), m[1]!),
  );
}

/** The strongly connected components with more than one module (or a self-import): Tarjan's algorithm. */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('the cycle finder finds a cycle', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a', 'd']],
    ['d', []],
    ['e', ['e']],
  ]);
  assert.deepEqual(cycles(g), [['a', 'b', 'c'], ['e']]);
});

test('src has no runtime import cycle', () => {
  // The compiled modules of the sources that exist (a stale .js of a moved file is not looked at).
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(src)) {
    const js = path.join(compiled, path.relative(src, file)).replace(/\.ts$/, '.js');
    graph.set(js, jsImports(js));
  }
  assert.ok(graph.size > 100, `read ${graph.size} compiled modules under ${compiled}`);
  assert.deepEqual(
    cycles(graph).map((c) => c.map((f) => path.relative(compiled, f))),
    [],
  );
});
