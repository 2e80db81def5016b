/**
 * Module: discovery of children and parameters, dotted names, state dicts (round trip, buffers,
 * load report, strict errors), train/eval switching, freezing, apply, containers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, randn, tensor, zeros } from '../../src/tensor/index.js';
import { manualSeed } from '../../src/core/rng.js';
import { ValueError } from '../../src/core/errors.js';
import * as nn from '../../src/nn/index.js';

class Net extends nn.Module {
  trunk = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Dropout(0.5));
  head = new nn.Linear(8, 3);
  scale = new nn.Parameter(tensor([2]));
  /** Not a child: private fields are not discovered. */
  #teacher = new nn.Linear(4, 3);
  notes = 'fields of other types are ignored';

  forward(x: Tensor): Tensor {
    return this.head.forward(this.trunk.forward(x)).mul(this.scale);
  }

  teacher(): nn.Linear {
    return this.#teacher;
  }
}

const snapshot = (sd: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, new Tensor(v.data.slice(), v.shape)]));

test('namedParameters gives dotted names in PyTorch order, own parameters first', () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ['scale', 'trunk.0.weight', 'trunk.0.bias', 'trunk.1.weight', 'trunk.1.bias', 'head.weight', 'head.bias'],
  );
  assert.deepEqual(
    net.namedChildren().map(([n]) => n),
    ['trunk', 'head'],
  );
  assert.deepEqual(
    net.namedModules().map(([n]) => n),
    ['', 'trunk', 'trunk.0', 'trunk.1', 'trunk.2', 'trunk.3', 'head'],
  );
  assert.ok(!net.parameters().includes(net.teacher().weight));
  assert.ok(net.parameters().every((p) => p instanceof Tensor && p.requiresGrad));
  assert.equal(net.numParameters(), 1 + 4 * 8 + 8 + 8 + 8 + 8 * 3 + 3);
});

test('stateDict holds parameters and buffers under PyTorch names, in PyTorch order', () => {
  const sd = new Net().stateDict();
  assert.deepEqual(Object.keys(sd), [
    'scale',
    'trunk.0.weight',
    'trunk.0.bias',
    'trunk.1.weight',
    'trunk.1.bias',
    'trunk.1.running_mean',
    'trunk.1.running_var',
    'trunk.1.num_batches_tracked',
    'head.weight',
    'head.bias',
  ]);
  assert.deepEqual(sd['trunk.0.weight']!.shape, [8, 4]);
  assert.equal(sd['trunk.1.num_batches_tracked']!.dtype, 'int32');
  assert.deepEqual(sd['trunk.1.num_batches_tracked']!.shape, []);
  assert.ok(Object.values(sd).every((t) => !t.requiresGrad));
});

test('a state dict round-trips: a second model loaded from it computes the same', () => {
  manualSeed(1);
  const a = new Net();
  a.forward(randn([5, 4])); // moves the running statistics off their initial values
  const b = new Net();
  const report = b.loadStateDict(snapshot(a.stateDict()));
  assert.deepEqual([report.missing, report.unexpected, report.mismatched], [[], [], []]);
  assert.equal(report.loaded.length, 10);
  a.eval();
  b.eval();
  const x = randn([3, 4]);
  assert.deepEqual([...b.forward(x).data], [...a.forward(x).data]);
  assert.equal(b.stateDict()['trunk.1.num_batches_tracked']!.item(), 1);
});

test('loadStateDict copies in place, so references held elsewhere see the values', () => {
  const lin = new nn.Linear(2, 2);
  const w = lin.weight;
  lin.loadStateDict({
    weight: tensor([
      [1, 2],
      [3, 4],
    ]),
    bias: tensor([5, 6]),
  });
  assert.equal(lin.weight, w);
  assert.deepEqual([...w.data], [1, 2, 3, 4]);
});

test('non-strict loadStateDict reports missing, unexpected and mismatched keys and loads the rest', () => {
  const net = new Net();
  const sd = snapshot(new Net().stateDict());
  delete sd['trunk.0.bias'];
  sd['extra.weight'] = zeros([1]);
  sd['head.weight'] = zeros([10, 8]);
  sd['head.bias'] = tensor([7, 8, 9]);
  const before = Float32Array.from(net.head.weight.data);
  const report = net.loadStateDict(sd, { strict: false });
  assert.deepEqual(report.missing, ['trunk.0.bias']);
  assert.deepEqual(report.unexpected, ['extra.weight']);
  assert.deepEqual(report.mismatched, [{ key: 'head.weight', expected: [3, 8], got: [10, 8] }]);
  assert.deepEqual([...net.head.bias!.data], [7, 8, 9]);
  assert.deepEqual(net.head.weight.data, before);
});

test('strict loadStateDict throws a StateDictError naming every problem and copies nothing', () => {
  const net = new Net();
  const sd = snapshot(net.stateDict());
  delete sd['scale'];
  sd['head.weight'] = zeros([3, 9]);
  sd['bogus'] = zeros([1]);
  sd['head.bias'] = tensor([1, 1, 1]);
  const bias = Float32Array.from(net.head.bias!.data);
  assert.throws(
    () => net.loadStateDict(sd),
    (e: unknown) => {
      assert.ok(e instanceof nn.StateDictError);
      assert.match(e.message, /1 missing key \(scale\)/);
      assert.match(e.message, /1 unexpected key \(bogus\)/);
      assert.match(e.message, /head\.weight: expected \[3,8\], got \[3,9\]/);
      assert.deepEqual(e.report.missing, ['scale']);
      return true;
    },
  );
  assert.deepEqual(net.head.bias!.data, bias);
});

test('train() and eval() switch dropout and batch norm in every descendant', () => {
  manualSeed(2);
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  const x = randn([6, 4]);
  const y1 = net.forward(x);
  const y2 = net.forward(x);
  assert.notDeepEqual([...y1.data], [...y2.data], 'training: fresh dropout masks and batch statistics');
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  const seen = net.trunk.at(1).stateDict()['num_batches_tracked']!.item();
  const e1 = net.forward(x);
  assert.deepEqual([...net.forward(x).data], [...e1.data], 'eval is deterministic');
  assert.equal(
    net.trunk.at(1).stateDict()['num_batches_tracked']!.item(),
    seen,
    'eval leaves running statistics alone',
  );
  net.train();
  assert.ok(net.trunk.at(3).training);
});

test('requiresGrad_(false) freezes a submodule: no gradients reach it', () => {
  const net = new Net();
  net.getSubmodule('trunk').requiresGrad_(false);
  assert.equal(net.numParameters({ trainableOnly: true }), 1 + 8 * 3 + 3);
  net
    .forward(randn([4, 4]))
    .sum()
    .backward();
  assert.ok(net.trunk.parameters().every((p) => p.grad === null));
  assert.ok(net.head.weight.grad !== null);
  net.zeroGrad();
  assert.equal(net.head.weight.grad, null);
});

test('shared parameters and modules are listed once; the state dict keeps both names', () => {
  const lin = new nn.Linear(3, 3);
  const seq = new nn.Sequential(lin, new nn.ReLU(), lin);
  assert.deepEqual(
    seq.namedParameters().map(([n]) => n),
    ['0.weight', '0.bias'],
  );
  assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
});

test('apply visits children before parents; getSubmodule walks dotted paths', () => {
  const net = new Net();
  const order: string[] = [];
  net.apply((m) => order.push(m.constructor.name));
  assert.deepEqual(order, ['Linear', 'BatchNorm1d', 'ReLU', 'Dropout', 'Sequential', 'Linear', 'Net']);
  assert.equal(net.getSubmodule('trunk.1'), net.trunk.at(1));
  assert.equal(net.getSubmodule(''), net);
  assert.throws(() => net.getSubmodule('trunk.9'), /Sequential has no child '9'/);
});

test('registered names, ModuleList and ModuleDict', () => {
  const heads = new nn.ModuleDict({ digit: new nn.Linear(2, 10) });
  heads.set('7', new nn.Linear(2, 1));
  heads.set('parity', new nn.Linear(2, 2));
  assert.deepEqual(heads.keys(), ['digit', '7', 'parity'], 'insertion order, even for numeric names');
  assert.equal(heads.get('7').outFeatures, 1);
  assert.throws(() => heads.get('age'), /no module 'age'; keys are digit, 7, parity/);
  const blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
  blocks.append(new nn.Linear(2, 2));
  assert.equal(blocks.length, 3);
  assert.equal(blocks.at(-1), [...blocks][2]);
  assert.deepEqual(Object.keys(blocks.stateDict()).slice(0, 3), ['0.weight', '0.bias', '1.weight']);
  assert.throws(() => blocks.forward(), /ModuleList has no forward/);

  class Custom extends nn.Module {
    constructor() {
      super();
      this.registerParameter('lora_A', new nn.Parameter(zeros([2, 2])));
      this.registerBuffer('cache', zeros([1]), { persistent: false });
    }

    forward(x: Tensor): Tensor {
      return x;
    }
  }
  const c = new Custom();
  assert.deepEqual(
    c.namedParameters().map(([n]) => n),
    ['lora_A'],
  );
  assert.deepEqual(
    c.namedBuffers().map(([n]) => n),
    ['cache'],
  );
  assert.deepEqual(Object.keys(c.stateDict()), ['lora_A'], 'non-persistent buffers are not saved');
  assert.throws(() => c.registerModule('a.b', new nn.ReLU()), ValueError);
  assert.throws(() => c.registerModule('training', new nn.ReLU()), /already a field/);
  assert.throws(() => c.registerBuffer('lora_A', zeros([1])), /another kind/);
});

test('a plain array of modules is refused with a pointer to ModuleList', () => {
  class Bad extends nn.Module {
    layers = [new nn.Linear(2, 2)];
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => new Bad().parameters(), /use nn\.ModuleList/);
});
