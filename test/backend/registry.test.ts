/**
 * The backend registry on its own: registration, the default choice by priority, the one-line
 * fallback warning, a required backend that forbids the fallback, and the errors for unknown names.
 * Each test loads a fresh copy of the module (a query string makes it a new module instance), so
 * the process-wide registry the other tests use is left as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { jsBackend } from '../../src/backends/js/index.js';
import { registeredBackends } from '../../src/backend/registry.js';

type Registry = typeof import('../../src/backend/registry.js');

let copies = 0;
async function freshRegistry(): Promise<Registry> {
  return (await import(
    `${new URL('../../src/backend/registry.js', import.meta.url).href}?copy=${++copies}`
  )) as Registry;
}

const named = (name: string): Backend => ({ ...jsBackend, name });

async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    return await body();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

test('the built-in backends registered themselves, lowest priority first', () => {
  assert.deepEqual(registeredBackends(), ['js', 'native']);
});

test('the default is the available backend of highest priority; skipping one warns once', async () => {
  await withEnv({ POLYTASK_BACKEND: undefined }, async () => {
    const r = await freshRegistry();
    r.registerBackend('slow', () => ({ backend: named('slow'), reason: '' }), 0, { description: 'slow backend' });
    r.registerBackend('fast', () => ({ backend: null, reason: 'not built' }), 2);
    r.registerBackend('mid', () => ({ backend: named('mid'), reason: '' }), 1, { description: 'middle one' });
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    try {
      assert.equal(r.getBackend().name, 'mid');
      assert.equal(r.getBackend().name, 'mid');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, ['polytask: fast backend unavailable (not built); using the middle one']);
    assert.deepEqual(r.registeredBackends(), ['slow', 'mid', 'fast']);
  });
});

test('a required backend that does not load stops the default choice', async () => {
  await withEnv({ POLYTASK_BACKEND: undefined }, async () => {
    const r = await freshRegistry();
    r.registerBackend('ref', () => ({ backend: named('ref'), reason: '' }), 0);
    r.registerBackend('addon', () => ({ backend: null, reason: 'no .node file' }), 1, { required: () => 'REQUIRED=1' });
    assert.throws(
      () => r.getBackend(),
      /addon backend unavailable \(no \.node file\) and REQUIRED=1 forbids the fallback/,
    );
    assert.equal(r.setBackend('ref').name, 'ref', 'an explicit choice still works');
  });
});

test('unknown and unavailable names are errors that list the registered ones', async () => {
  await withEnv({ POLYTASK_BACKEND: 'gpu' }, async () => {
    const r = await freshRegistry();
    r.registerBackend('js', () => ({ backend: named('js'), reason: '' }), 0);
    r.registerBackend('native', () => ({ backend: null, reason: 'not built' }), 1);
    assert.throws(() => r.getBackend(), /POLYTASK_BACKEND: unknown backend 'gpu', expected 'js' or 'native'/);
    assert.throws(() => r.setBackend('gpu'), /setBackend: unknown backend 'gpu', expected 'js' or 'native'/);
    assert.throws(() => r.setBackend('native'), /setBackend: native backend unavailable: not built/);
    assert.deepEqual(r.backendAvailable('native'), { available: false, reason: 'not built' });
    assert.equal(r.backendAvailable('tpu').available, false);
  });
});

test('with nothing registered, the error says how to register the built-in backends', async () => {
  await withEnv({ POLYTASK_BACKEND: undefined }, async () => {
    const r = await freshRegistry();
    assert.throws(() => r.getBackend(), /no backend available \(import 'polytask'/);
  });
});
