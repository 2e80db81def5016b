/**
 * The shared sub-run runner: recorded sub-runs are taken (checked against the record type) and
 * not trained; new ones are trained through the executor and recorded before they are reported;
 * an aborted signal stops the study before the next sub-run without recording it; events come in
 * grid order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hasFields,
  runSubRuns,
  SubRunner,
  type Executor,
  type SubRunEvent,
  type SubRunStore,
} from '../../src/study/index.js';
import { StoppedError } from '../../src/train/index.js';

/** A store in memory: what FileSubRunStore keeps in files. */
function memoryStore(
  initial: Record<string, unknown> = {},
): SubRunStore & { records: Map<string, unknown>; dirs: string[] } {
  const records = new Map(Object.entries(initial));
  const dirs: string[] = [];
  return {
    records,
    dirs,
    get: (id) => records.get(id),
    put: (id, result) => {
      records.set(id, result);
    },
    dir: (id) => {
      dirs.push(id);
      return `/tmp/${id}`;
    },
  };
}

interface Spec {
  seed: number;
}
interface Outcome {
  accuracy: number;
}
const isOutcome = (v: unknown): v is Outcome => hasFields(v, { accuracy: 'number' });
const grid = [0, 1, 2].map((seed) => ({ id: `ew-seed${seed}`, spec: { seed } }));

test('recorded sub-runs are taken, the others trained and recorded, results in grid order', async () => {
  const store = memoryStore({ 'ew-seed1': { accuracy: 0.5 } });
  const trained: number[] = [];
  const results = await runSubRuns<Spec, Outcome>(grid, {
    store,
    isRecord: isOutcome,
    train: async ({ spec }) => {
      trained.push(spec.seed);
      return { accuracy: spec.seed / 10 };
    },
  });
  assert.deepEqual(trained, [0, 2]);
  assert.deepEqual(results, [{ accuracy: 0 }, { accuracy: 0.5 }, { accuracy: 0.2 }]);
  assert.deepEqual([...store.records.keys()].sort(), ['ew-seed0', 'ew-seed1', 'ew-seed2']);
  assert.deepEqual(store.records.get('ew-seed2'), { accuracy: 0.2 });
});

test('without a store every sub-run is trained and nothing is recorded', async () => {
  const dirs: (string | null)[] = [];
  const results = await runSubRuns<Spec, Outcome>(grid, {
    isRecord: isOutcome,
    train: async ({ spec }, ctx) => {
      dirs.push(ctx.dir());
      return { accuracy: spec.seed };
    },
  });
  assert.deepEqual(
    results.map((r) => r.accuracy),
    [0, 1, 2],
  );
  assert.deepEqual(dirs, [null, null, null]);
});

test('events come in order: recorded, or start then done after the record is written', async () => {
  const store = memoryStore({ 'ew-seed0': { accuracy: 0.9 } });
  const events: string[] = [];
  const onEvent = (e: SubRunEvent<Spec, Outcome>): void => {
    events.push(
      `${e.kind} ${e.run.id} ${e.index + 1}/${e.total}${e.kind === 'done' ? ` recorded=${store.records.has(e.run.id)}` : ''}`,
    );
  };
  await runSubRuns<Spec, Outcome>(grid, {
    store,
    isRecord: isOutcome,
    onEvent,
    train: async ({ id }) => {
      events.push(`train ${id}`);
      return { accuracy: 0.1 };
    },
  });
  assert.deepEqual(events, [
    'recorded ew-seed0 1/3',
    'start ew-seed1 2/3',
    'train ew-seed1',
    'done ew-seed1 2/3 recorded=true',
    'start ew-seed2 3/3',
    'train ew-seed2',
    'done ew-seed2 3/3 recorded=true',
  ]);
});

test('an aborted signal stops before the next sub-run, and a sub-run cut short is not recorded', async () => {
  const store = memoryStore();
  const controller = new AbortController();
  const trained: string[] = [];
  await assert.rejects(
    runSubRuns<Spec, Outcome>(grid, {
      store,
      signal: controller.signal,
      isRecord: isOutcome,
      train: async ({ id }) => {
        trained.push(id);
        controller.abort();
        return { accuracy: 1 };
      },
    }),
    StoppedError,
  );
  assert.deepEqual(trained, ['ew-seed0'], 'no sub-run starts once the signal is aborted');
  assert.deepEqual([...store.records.keys()], ['ew-seed0']);

  const cut = memoryStore();
  await assert.rejects(
    runSubRuns<Spec, Outcome>(grid, {
      store: cut,
      isRecord: isOutcome,
      train: async ({ id }) => {
        if (id === 'ew-seed1') throw new StoppedError(id, 3);
        return { accuracy: 1 };
      },
    }),
    StoppedError,
  );
  assert.deepEqual([...cut.records.keys()], ['ew-seed0'], 'the sub-run the stop cut short is not recorded');
  // once aborted, a study whose sub-runs are all recorded still completes: nothing is trained
  const all = memoryStore(Object.fromEntries(grid.map((r) => [r.id, { accuracy: 0.3 }])));
  const aborted = AbortSignal.abort();
  const results = await runSubRuns<Spec, Outcome>(grid, {
    store: all,
    signal: aborted,
    isRecord: isOutcome,
    train: async () => assert.fail('trained'),
  });
  assert.deepEqual(
    results.map((r) => r.accuracy),
    [0.3, 0.3, 0.3],
  );
});

test('a record of another shape is refused by its id', async () => {
  const store = memoryStore({ 'ew-seed0': { error: 0.1 } });
  await assert.rejects(
    runSubRuns<Spec, Outcome>(grid, { store, isRecord: isOutcome, train: async () => ({ accuracy: 1 }) }),
    /sub-run 'ew-seed0'.*does not hold the result this study records/,
  );
});

test('an executor takes over training; the context gives the sub-run its place and directory', async () => {
  const store = memoryStore();
  const seen: string[] = [];
  const remote: Executor = {
    execute: async (run, ctx, train) => {
      seen.push(`${run.id} ${ctx.index + 1}/${ctx.total} ${ctx.dir()}`);
      return train(run, ctx);
    },
  };
  const runner = new SubRunner<Spec, Outcome>({ store, executor: remote, isRecord: isOutcome, total: 2 });
  assert.equal(runner.recorded('a'), undefined);
  await runner.run({ id: 'a', spec: { seed: 0 } }, async () => ({ accuracy: 0.4 }));
  await runner.run({ id: 'b', spec: { seed: 1 } }, async () => ({ accuracy: 0.6 }));
  assert.deepEqual(seen, ['a 1/2 /tmp/a', 'b 2/2 /tmp/b']);
  assert.deepEqual(runner.recorded('b'), { accuracy: 0.6 });
});

test('hasFields checks the kinds of the named fields only', () => {
  assert.equal(
    hasFields({ a: 1, b: 'x', c: null, d: [1] }, { a: 'number', b: 'string', c: 'object-or-null', d: 'array' }),
    true,
  );
  assert.equal(hasFields({ a: '1' }, { a: 'number' }), false);
  assert.equal(hasFields({}, { a: 'number' }), false);
  assert.equal(hasFields([1], {}), false);
  assert.equal(hasFields(null, {}), false);
});
