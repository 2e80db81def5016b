/**
 * A TF.js layers model as a polytask `Module`: its layers run in the file's order, each weighted
 * layer a child module under its Keras name (`conv1.weight`, `bn1.running_mean`, …), so the model
 * trains, fine-tunes, saves and loads like any other. It takes [N, C, H, W] (polytask's layout;
 * Keras's input is [N, H, W, C]) or [N, features]; `forward(x, { until: 'layer' })` returns a
 * layer's output instead, which is how an imported classifier becomes a feature extractor.
 *
 * @example
 * const net = importTfjsLayers({ modelTopology, weightSpecs, weightData }, 'my model');
 * net.eval();
 * net.forward(x);                               // the model's output
 * net.forward(x, { until: 'global_pool' });     // a backbone's features
 */
import { FormatError } from '../../../core/errors.js';
import { Module } from '../../../nn/index.js';
import type { Tensor } from '../../../tensor/index.js';
import { buildLayer, type BuiltLayer } from './layers.js';
import type { Topology } from './topology.js';
import type { NamedWeight } from './weights.js';
import { recordFrom } from '../../../core/safe-keys.js';

export interface TfjsForwardOptions {
  /** Stop at this layer and return its output. */
  until?: string;
}

/** The imported model. */
export class TfjsLayersModel extends Module<[Tensor, TfjsForwardOptions?], Tensor> {
  /** The input shape the file declares, in polytask's layout ([C, H, W] or [features]), when it does. */
  readonly inputShape: number[] | undefined;
  /** The layer names, in order. */
  readonly layerNames: readonly string[];
  readonly #plan: { name: string; inputs: readonly string[]; layer: BuiltLayer }[];
  readonly #output: string;

  constructor(topology: Topology, weights: ReadonlyMap<string, NamedWeight>, file: string) {
    super();
    const used = new Set<string>();
    const lookup = (layer: string, short: string): NamedWeight | undefined => {
      const exact = `${layer}/${short}`;
      let hit = weights.has(exact) ? exact : undefined;
      if (hit === undefined) {
        const ends = [...weights.keys()].filter((k) => k.endsWith(`/${exact}`));
        if (ends.length > 1) throw new FormatError(file, `weights ${ends.join(', ')} all match ${exact}`);
        hit = ends[0];
      }
      if (hit === undefined) return undefined;
      used.add(hit);
      return weights.get(hit);
    };
    this.#plan = topology.layers.map((l) => {
      if (l.name.includes('.'))
        throw new FormatError(file, `layer name "${l.name}": a "." would break state-dict names`);
      const layer = buildLayer(l, lookup, file);
      if (layer.module !== undefined) this.registerModule(l.name, layer.module);
      return { name: l.name, inputs: l.inputs, layer };
    });
    const unused = [...weights.keys()].filter((k) => !used.has(k));
    if (unused.length > 0)
      throw new FormatError(file, `${unused.length} weights belong to no layer (first: ${unused[0]})`);
    const state = recordFrom(
      this.#plan.flatMap((p) => Object.entries(p.layer.state).map(([k, v]) => [`${p.name}.${k}`, v])),
    );
    this.loadStateDict(state, { strict: true });
    this.#output = topology.outputs[0]!;
    this.layerNames = this.#plan.map((p) => p.name);
    const s = topology.inputShape;
    this.inputShape = s === undefined ? undefined : s.length === 3 ? [s[2]!, s[0]!, s[1]!] : [...s];
  }

  forward(x: Tensor, options: TfjsForwardOptions = {}): Tensor {
    const target = options.until ?? this.#output;
    if (!this.layerNames.includes(target)) throw new FormatError('forward', `no layer named "${target}"`);
    const values = new Map<string, Tensor>();
    for (const p of this.#plan) {
      const inputs = p.inputs.length === 0 ? [x] : p.inputs.map((n) => values.get(n)!);
      const y = p.layer.apply(inputs, this.training);
      if (p.name === target) return y;
      values.set(p.name, y);
    }
    throw new FormatError('forward', `layer "${target}" was not reached`);
  }
}
