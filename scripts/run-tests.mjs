#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. Node 20 does not
// expand globs in `node --test`, and a bare directory would also run helper modules as tests.
// Every test process first loads dist/test/helpers/setup.js, which registers the built-in backends.
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function* testFiles(dir) {
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) yield* testFiles(p);
    else if (p.endsWith('.test.js')) yield p;
  }
}

const roots = process.argv.length > 2 ? process.argv.slice(2) : ['dist/test'];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? [...testFiles(r)] : [r]));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const setup = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/test/helpers/setup.js'),
).href;
const r = spawnSync(process.execPath, ['--import', setup, '--test', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
