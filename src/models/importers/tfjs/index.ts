/**
 * Importing TF.js layers models (the `model.json` + weight shards that `tf.LayersModel.save` and
 * the TF.js converter write for Keras models) as polytask modules. See graph.ts for what the
 * imported module takes and returns, layers.ts for the layer classes supported.
 *
 * @example
 * const net = loadTfjsLayersModel('models/net/model.json');
 * net.eval();
 * net.forward(x);
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { FormatError } from '../../../core/errors.js';
import { TfjsLayersModel } from './graph.js';
import { parseTopology } from './topology.js';
import { decodeWeights, readWeights } from './weights.js';

export { TfjsLayersModel, type TfjsForwardOptions } from './graph.js';
export { parseTopology, type Topology, type TopologyLayer } from './topology.js';

/** model.json is a description, never this large. */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * A model.json file and the weight shards beside it.
 *
 * @example
 * loadTfjsLayersModel('/models/mobilenet/model.json').layerNames.length;
 */
export function loadTfjsLayersModel(file: string): TfjsLayersModel {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new FormatError(file, 'cannot be read');
  }
  if (size > MAX_MODEL_JSON_BYTES)
    throw new FormatError(file, `${size} bytes; a model.json is at most ${MAX_MODEL_JSON_BYTES}`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new FormatError(file, `not JSON (${(err as Error).message.slice(0, 120)})`);
  }
  if (typeof json !== 'object' || json === null) throw new FormatError(file, 'expected a mapping');
  const weights = readWeights(json.weightsManifest, path.dirname(file), file);
  return new TfjsLayersModel(parseTopology(json.modelTopology, file), weights, file);
}

/** What `tf.io.withSaveHandler` hands over: the topology, the weight specs and their bytes. */
export interface TfjsArtifacts {
  modelTopology: unknown;
  weightSpecs: readonly unknown[];
  weightData: ArrayBuffer | Uint8Array;
}

/**
 * A model from in-memory artifacts (as TF.js's save handlers give them).
 *
 * @example
 * await model.save(tf.io.withSaveHandler(async (a) => { net = importTfjsLayers(a, 'model'); return { modelArtifactsInfo: … }; }));
 */
export function importTfjsLayers(artifacts: TfjsArtifacts, name: string): TfjsLayersModel {
  const data = artifacts.weightData instanceof Uint8Array ? artifacts.weightData : new Uint8Array(artifacts.weightData);
  return new TfjsLayersModel(
    parseTopology(artifacts.modelTopology, name),
    decodeWeights(artifacts.weightSpecs, data, name),
    name,
  );
}
