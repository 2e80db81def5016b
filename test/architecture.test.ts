/**
 * Imports point down only (DESIGN.md): each folder of src/ may import the folders listed for it.
 * A folder not listed here fails the test until it is placed in the hierarchy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

const lower: Record<string, string[]> = {
  core: [],
  backend: ['core', 'backends'],
  backends: ['core', 'backend'],
  tensor: ['core', 'backend'],
  nn: ['core', 'backend', 'tensor'],
  optim: ['core', 'backend', 'tensor', 'nn'],
  io: ['core', 'tensor'],
  data: ['core', 'tensor', 'io'],
  train: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data'],
  study: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'models'],
  transfer: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'multitask', 'study'],
  multitask: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'study'],
  endtoend: ['core', 'backend', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'study'],
  // the report reads the studies' own result types, so it sits above them
  report: ['core', 'io', 'study', 'transfer', 'multitask', 'endtoend'],
  cli: ['core', 'backend', 'backends', 'tensor', 'nn', 'optim', 'io', 'data', 'train', 'study', 'report', 'transfer', 'multitask', 'endtoend'],
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
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), m[1]!));
      if (target.startsWith('..')) { violations.push(`${rel}: imports outside src: ${m[1]}`); continue; }
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
    for (const m of text.matchAll(/^(?:import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
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
  const studies = [...files].map((f) => path.relative(src, f).split(path.sep)[0]!).filter((top) => ['multitask', 'transfer', 'endtoend', 'report', 'cli'].includes(top));
  assert.deepEqual([...new Set(studies)], []);
  assert.ok(!packages.has('zod'), `the root imports ${[...packages].join(', ')}`);
});
