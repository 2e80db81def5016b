import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oncePerConfig } from '../../src/study/index.js';

test('oncePerConfig loads once for equal configs, again for another, and forgets a failed load', async () => {
  let calls = 0;
  let fail = false;
  const load = oncePerConfig(async (c: { n: number }) => {
    calls += 1;
    if (fail) throw new Error('unreadable');
    return { value: c.n * 2 };
  });
  const a = await load({ n: 1 });
  assert.equal(await load({ n: 1 }), a);
  assert.equal(calls, 1);
  assert.equal((await load({ n: 2 })).value, 4);
  assert.equal(calls, 2);
  fail = true;
  await assert.rejects(load({ n: 3 }), /unreadable/);
  fail = false;
  assert.equal((await load({ n: 3 })).value, 6);
  assert.equal(calls, 4);
});
