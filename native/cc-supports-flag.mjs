#!/usr/bin/env node
/**
 * Prints 1 when the C++ compiler node-gyp will use ($CXX, else c++) compiles an empty file with the
 * given flag, else 0: binding.gyp asks it before it compiles a kernel with that flag
 * (-mavx512bf16), so an older compiler builds the addon without that kernel instead of failing.
 *
 * @example
 * node native/cc-supports-flag.mjs -mavx512bf16   # 1
 */
import { spawnSync } from 'node:child_process';

const flag = process.argv[2] ?? '';
const cxx = process.env['CXX'] ?? 'c++';
const ok =
  /^-m[a-z0-9-]+$/.test(flag) &&
  spawnSync(cxx, [flag, '-x', 'c++', '-c', '-o', '/dev/null', '-'], { input: 'int main() { return 0; }\n' }).status ===
    0;
process.stdout.write(ok ? '1' : '0');
