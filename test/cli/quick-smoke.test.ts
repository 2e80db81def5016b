/**
 * `--quick` is a smoke test: each study's quick settings say so (`smokeTest: true`), so its verdict
 * is `inconclusive: smoke test` and never a conclusion; the main settings are not smoke tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STUDIES } from '../../src/cli/studies/index.js';
import { validateConfig } from '../../src/cli/config/validate.js';

test("every study's quick settings are a smoke test, and its main settings are not", () => {
  for (const s of STUDIES) {
    s.use((d) => {
      const quick = validateConfig(d.schema, d.presets.quick) as { smokeTest?: unknown };
      const main = validateConfig(d.schema, d.presets.main) as { smokeTest?: unknown };
      assert.equal(quick.smokeTest, true, `${d.key} quick`);
      assert.equal(main.smokeTest, false, `${d.key} main`);
    });
  }
});
