/**
 * Helpers shared by the nn and optim tests: the PyTorch golden fixture, tensors from its JSON form,
 * and a central finite-difference gradient check.
 *
 * @example
 * const g = golden();
 * const x = fromJson(g.losses[0]!.inputs['input']!);
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Tensor, noGrad } from '../../src/tensor/index.js';

/** A tensor as the generator writes it; null stands for NaN. */
export interface JsonTensor {
  shape: number[];
  data: (number | null)[];
}

export interface LossCase {
  name: string;
  fn: string;
  params: Record<string, number | string>;
  inputs: Record<string, JsonTensor>;
  loss: JsonTensor;
  grad: JsonTensor;
  grad_out?: JsonTensor;
}

export interface OptimizerCase {
  name: string;
  kind: 'sgd' | 'adam' | 'adamw';
  groups: { params: number[]; options: Record<string, unknown> }[];
  options: Record<string, unknown>;
  init: JsonTensor[];
  grads: (JsonTensor | null)[][];
  trajectory: JsonTensor[][];
}

export interface SchedulerCase {
  name: string;
  kind: string;
  options: Record<string, unknown>;
  base_lrs: number[];
  optimizer: 'sgd' | 'adam';
  lrs: number[][];
  momentum?: number[][];
}

export interface ModelCase {
  name: string;
  state_dict: Record<string, JsonTensor>;
  input: JsonTensor;
  output_train: JsonTensor;
  grad_out: JsonTensor;
  grads: Record<string, JsonTensor>;
  state_dict_after: Record<string, JsonTensor>;
  output_eval: JsonTensor;
}

export interface Golden {
  torch_version: string;
  losses: LossCase[];
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  models: ModelCase[];
  training: {
    weight: JsonTensor;
    bias: JsonTensor;
    x: JsonTensor;
    y: JsonTensor;
    lr: number;
    labelSmoothing: number;
    losses: number[];
    final: Record<string, JsonTensor>;
  };
}

let cached: Golden | null = null;

/** test/fixtures/nn_optim_golden.json, written by scripts/golden_nn_optim.py (read relative to the repo root). */
export function golden(): Golden {
  cached ??= JSON.parse(
    readFileSync(new URL('../../../test/fixtures/nn_optim_golden.json', import.meta.url), 'utf8'),
  ) as Golden;
  return cached;
}

/** A float32 tensor (or int32 with `int`) from the fixture's form. */
export function fromJson(t: JsonTensor, int = false): Tensor {
  const values = t.data.map((v) => (v === null ? NaN : v));
  return new Tensor(int ? Int32Array.from(values) : Float32Array.from(values), t.shape);
}

/** The fixture form, for assertClose's `expected`. */
export function expected(t: JsonTensor): { shape: number[]; data: number[] } {
  return { shape: t.shape, data: t.data.map((v) => (v === null ? NaN : v)) };
}

/** Golden comparisons: 1e-5 relative, with an absolute floor for entries near zero. */
export const GOLDEN_TOL = { rtol: 1e-5, atol: 1e-6 };

/**
 * Compares the gradient autograd gives for scalar f at x with central differences, element by
 * element; float32 limits the agreement to about 1e-3.
 */
export function checkGradient(what: string, f: (x: Tensor) => Tensor, x0: Tensor, eps = 1e-2, tol = 2e-3): void {
  const x = new Tensor(Float32Array.from(x0.data), x0.shape);
  x.requiresGrad = true;
  f(x).backward();
  const analytic = x.grad!.data;
  const probe = new Tensor(Float32Array.from(x0.data), x0.shape);
  const at = (i: number, v: number): number => {
    probe.data[i] = v;
    return noGrad(() => f(probe).item());
  };
  for (let i = 0; i < x0.size; i++) {
    const v = x0.data[i]!;
    const numeric = (at(i, v + eps) - at(i, v - eps)) / (2 * eps);
    probe.data[i] = v;
    const diff = Math.abs(numeric - analytic[i]!);
    assert.ok(
      diff <= tol * Math.max(1, Math.abs(numeric)),
      `${what}: d/dx[${i}] autograd ${analytic[i]} vs finite difference ${numeric}`,
    );
  }
}
