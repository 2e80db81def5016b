/**
 * The graph of a TF.js layers model (`model.json`'s `modelTopology`, the Keras JSON format):
 * its layers in order, each with its class, config and the layers that feed it, and the model's
 * input and output layers. Sequential and functional models come out the same way (a Sequential's
 * layer feeds the next one). The file is not trusted: every field read is checked, sizes are
 * bounded, and a layer used before it is defined or a shared layer (called twice) is refused.
 *
 * @example
 * const g = parseTopology(JSON.parse(readFileSync('model.json', 'utf8')).modelTopology, 'model.json');
 * g.layers.map((l) => l.className); // ['InputLayer', 'Conv2D', 'BatchNormalization', …]
 */
import { FormatError } from '../../../core/errors.js';

/** One layer of the graph. */
export interface TopologyLayer {
  name: string;
  /** The Keras class: Conv2D, Dense, Add, … */
  className: string;
  config: Readonly<Record<string, unknown>>;
  /** The layers whose outputs are its inputs, in order (empty for an input layer). */
  inputs: string[];
}

export interface Topology {
  layers: TopologyLayer[];
  inputs: string[];
  outputs: string[];
  /** The input shape without the batch axis, as Keras writes it (channels last), when the model says. */
  inputShape?: number[];
}

/** More layers than any real model has: a bound on what a file can make us build. */
export const MAX_LAYERS = 5000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function record(v: unknown, file: string, where: string): Record<string, unknown> {
  if (!isRecord(v)) throw new FormatError(file, `${where}: expected a mapping`);
  return v;
}

function name(v: unknown, file: string, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 200)
    throw new FormatError(file, `${where}: expected a layer name (a string of 1 to 200 characters)`);
  return v;
}

/** The names of the layers feeding a functional layer: `inbound_nodes: [[[name, 0, 0, {}], …]]`. */
function inboundOf(layer: Record<string, unknown>, file: string, where: string): string[] {
  const nodes = layer.inbound_nodes;
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) throw new FormatError(file, `${where}.inbound_nodes: expected a list`);
  if (nodes.length === 0) return [];
  if (nodes.length > 1)
    throw new FormatError(
      file,
      `${where}: the layer is called ${nodes.length} times (shared layers are not supported)`,
    );
  const node = nodes[0];
  // Keras 2 writes a list of [name, node, tensor, kwargs]; Keras 3 writes { args: [{ config: { keras_history } }] }
  if (Array.isArray(node))
    return node.map((entry, i) => {
      if (!Array.isArray(entry) || entry[1] !== 0 || entry[2] !== 0)
        throw new FormatError(file, `${where}.inbound_nodes[0][${i}]: expected [layer name, 0, 0, {}]`);
      return name(entry[0], file, `${where}.inbound_nodes[0][${i}]`);
    });
  throw new FormatError(file, `${where}.inbound_nodes[0]: expected a list of [layer name, 0, 0, {}]`);
}

/** `[["conv1", 0, 0]]` → ['conv1']. */
function endpoints(v: unknown, file: string, where: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new FormatError(file, `${where}: expected a list of [layer, 0, 0]`);
  return v.map((e, i) => {
    if (!Array.isArray(e)) throw new FormatError(file, `${where}[${i}]: expected [layer, 0, 0]`);
    return name(e[0], file, `${where}[${i}]`);
  });
}

function shapeOf(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || v.length < 2) return undefined;
  const rest = v.slice(1);
  return rest.every((d) => Number.isInteger(d) && (d as number) > 0 && (d as number) <= 1 << 16)
    ? (rest as number[])
    : undefined;
}

/**
 * The graph of `modelTopology` (the object under that key of model.json); `file` names it in errors.
 *
 * @example
 * parseTopology(json.modelTopology, 'model.json').outputs; // ['dense']
 */
export function parseTopology(modelTopology: unknown, file: string): Topology {
  const top = record(modelTopology, file, 'modelTopology');
  const model = record(top.model_config ?? top, file, 'modelTopology.model_config');
  const className = model.class_name;
  const config = record(model.config, file, 'model_config.config');
  const rawLayers = config.layers;
  if (!Array.isArray(rawLayers)) throw new FormatError(file, 'model_config.config.layers: expected a list');
  if (rawLayers.length > MAX_LAYERS)
    throw new FormatError(
      file,
      `model_config.config.layers: ${rawLayers.length} layers, more than the ${MAX_LAYERS} allowed`,
    );
  const sequential = className === 'Sequential';
  if (!sequential && className !== 'Model' && className !== 'Functional')
    throw new FormatError(
      file,
      `model_config.class_name: expected Sequential, Model or Functional, got ${JSON.stringify(className)}`,
    );
  const layers: TopologyLayer[] = [];
  const seen = new Set<string>();
  let inputShape: number[] | undefined;
  for (const [i, raw] of rawLayers.entries()) {
    const where = `model_config.config.layers[${i}]`;
    const l = record(raw, file, where);
    const cfg = record(l.config, file, `${where}.config`);
    const layerName = name(l.name ?? cfg.name, file, `${where}.name`);
    if (seen.has(layerName)) throw new FormatError(file, `${where}: a second layer named "${layerName}"`);
    const cls = name(l.class_name, file, `${where}.class_name`);
    let inputs: string[];
    if (sequential) {
      inputs = layers.length === 0 ? [] : [layers[layers.length - 1]!.name];
      if (layers.length === 0) inputShape ??= shapeOf(cfg.batch_input_shape);
    } else {
      inputs = inboundOf(l, file, where);
      if (cls === 'InputLayer') inputShape ??= shapeOf(cfg.batch_input_shape ?? cfg.batch_shape);
    }
    for (const from of inputs)
      if (!seen.has(from)) throw new FormatError(file, `${where}: input "${from}" is not a layer defined before it`);
    seen.add(layerName);
    layers.push({ name: layerName, className: cls, config: cfg, inputs });
  }
  if (layers.length === 0) throw new FormatError(file, 'model_config.config.layers: the model has no layers');
  const inputs = sequential
    ? [layers[0]!.name]
    : endpoints(config.input_layers, file, 'model_config.config.input_layers');
  const outputs = sequential
    ? [layers[layers.length - 1]!.name]
    : endpoints(config.output_layers, file, 'model_config.config.output_layers');
  for (const n of [...inputs, ...outputs])
    if (!seen.has(n)) throw new FormatError(file, `model_config.config: "${n}" is not one of its layers`);
  if (inputs.length !== 1 || outputs.length !== 1)
    throw new FormatError(
      file,
      `model_config.config: ${inputs.length} inputs and ${outputs.length} outputs; expected one of each`,
    );
  return { layers, inputs, outputs, ...(inputShape === undefined ? {} : { inputShape }) };
}
