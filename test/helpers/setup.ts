/**
 * Loaded before every test file (scripts/run-tests.mjs passes it to `node --import`), as tfjs'
 * setup_test registers its CPU backend: tests import the layers they test directly, not the package
 * root that registers the built-in backends.
 *
 * @example
 * // $ node --import ./dist/test/helpers/setup.js --test dist/test/tensor/ops.test.js
 */
import '../../src/backends/index.js';
