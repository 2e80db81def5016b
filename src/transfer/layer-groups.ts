/**
 * Layer groups: a model's parameters cut into ordered groups, from the input up to the heads, for
 * gradual unfreezing (top group first) and discriminative learning rates (a lower rate the deeper
 * the group). A group is one child of the trunk that holds parameters; a normalisation layer joins
 * the layer before it (its scale and shift belong to that layer's output); all heads form the last group.
 *
 * @example
 * layerGroups(model).map((g) => g.name); // ['trunk.0', 'trunk.3', 'trunk.7', 'heads']
 */
import { BatchNorm1d, BatchNorm2d, LayerNorm, type Module, type Parameter } from '../nn/index.js';
import type { MultiTaskModel } from '../models/hard-sharing.js';

/** One group: a name for reports and its parameters with their full names. */
export interface LayerGroup {
  name: string;
  params: [string, Parameter][];
}

const isNorm = (m: Module): boolean => m instanceof BatchNorm1d || m instanceof BatchNorm2d || m instanceof LayerNorm;

/**
 * The model's parameter groups, bottom to top; the heads are the last group.
 *
 * @example
 * const groups = layerGroups(model);
 * groups.at(-1)!.name; // 'heads'
 */
export function layerGroups(model: MultiTaskModel): LayerGroup[] {
  const groups: LayerGroup[] = [];
  for (const [child, m] of model.trunk.namedChildren()) {
    const params = m.namedParameters().map(([n, p]): [string, Parameter] => [`trunk.${child}.${n}`, p]);
    if (params.length === 0) continue;
    const last = groups.at(-1);
    if (isNorm(m as Module) && last !== undefined) last.params.push(...params);
    else groups.push({ name: `trunk.${child}`, params });
  }
  const trunkOwn = model.trunk.namedParameters().filter(([n]) => !n.includes('.'));
  if (trunkOwn.length > 0)
    groups.unshift({ name: 'trunk', params: trunkOwn.map(([n, p]): [string, Parameter] => [`trunk.${n}`, p]) });
  groups.push({
    name: 'heads',
    params: model.heads.namedParameters().map(([n, p]): [string, Parameter] => [`heads.${n}`, p]),
  });
  return groups;
}
