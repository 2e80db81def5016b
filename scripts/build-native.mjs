#!/usr/bin/env node
/**
 * npm's `install` hook: builds the native addon (build/Release/polytask_native.node) with node-gyp
 * against the headers of the Node that runs this script, so nothing is downloaded. When the build
 * cannot run or fails, it prints one line and exits 0: the install still succeeds and polytask
 * runs on the JS reference backend. The full compiler output goes to build/native-build.log.
 *
 * POLYTASK_SKIP_NATIVE=1 skips the build. POLYTASK_REQUIRE_NATIVE=1 (CI) turns every such case
 * into a failure: the same line on stderr, exit code 1, so a broken kernel cannot leave CI green.
 *
 * @example
 * node scripts/build-native.mjs   # what `npm ci` runs
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = path.join(root, 'build', 'native-build.log');

function unavailable(reason) {
  if (process.env['POLYTASK_REQUIRE_NATIVE'] === '1') {
    console.error(
      `polytask: native backend unavailable (${reason}) and POLYTASK_REQUIRE_NATIVE=1 forbids the JS fallback`,
    );
    process.exit(1);
  }
  console.log(`polytask: native backend unavailable (${reason}); polytask will use the JS backend`);
  process.exit(0);
}

/** The project's node-gyp, else the copy bundled with the npm that runs us. */
function findNodeGyp() {
  try {
    return createRequire(path.join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const bundled = process.env['npm_config_node_gyp'];
    return bundled !== undefined && existsSync(bundled) ? bundled : null;
  }
}

/** The install prefix of this Node when it ships its headers (include/node/node_api.h). */
function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

if (process.env['POLYTASK_SKIP_NATIVE'] === '1') unavailable('POLYTASK_SKIP_NATIVE=1');
const gyp = findNodeGyp();
if (gyp === null) unavailable('node-gyp is not installed');
const nodedir = localNodeDir();
if (nodedir === null)
  unavailable(`no Node headers under ${path.resolve(path.dirname(process.execPath), '..', 'include', 'node')}`);

const result = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${nodedir}`, '--jobs=max'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
mkdirSync(path.dirname(log), { recursive: true });
writeFileSync(log, output);
if (result.error !== undefined) unavailable(`node-gyp did not run: ${result.error.message}`);
if (result.status !== 0) {
  const firstError =
    output
      .split('\n')
      .find((l) => /error/i.test(l))
      ?.trim() ?? `exit code ${result.status}`;
  unavailable(`build failed: ${firstError.slice(0, 200)}; see ${path.relative(root, log)}`);
}
console.log('polytask: native backend built (build/Release/polytask_native.node)');
