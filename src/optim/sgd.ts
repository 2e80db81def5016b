/**
 * SGD with momentum, dampening, Nesterov momentum and (L2) weight decay, PyTorch's formulas:
 * d = g + wd·p; b = μ·b + (1−τ)·d (b = d on the first step); d = nesterov ? d + μ·b : b; p −= lr·d.
 *
 * @example
 * const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
import { ValueError } from '../core/errors.js';
import { getBackend } from '../backend/registry.js';
import { zeros, type Tensor } from '../tensor/index.js';
import { Optimizer, checkGrad, checkRange, type ParamsArg } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  /** Default 0 (plain SGD). */
  momentum: number;
  /** Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  nesterov: boolean;
}

type SgdState = { momentumBuffer: Tensor };

/** Stochastic gradient descent. @example new SGD(model.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }); */
export class SGD extends Optimizer<SgdOptions, SgdState> {
  constructor(params: ParamsArg<SgdOptions>, opts: Partial<SgdOptions> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...opts });
  }

  protected checkOptions(o: SgdOptions): void {
    checkRange('SGD', 'lr', o.lr);
    checkRange('SGD', 'momentum', o.momentum);
    checkRange('SGD', 'dampening', o.dampening);
    checkRange('SGD', 'weightDecay', o.weightDecay);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(
        'SGD',
        `nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`,
      );
    }
  }

  step(): void {
    const be = getBackend();
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        checkGrad('SGD', p);
        let buf: Tensor | null = null;
        let firstStep = false;
        if (g.momentum !== 0) {
          const st = this.state.get(p);
          firstStep = st === undefined;
          buf = st?.momentumBuffer ?? zeros(p.shape);
          if (firstStep) this.state.set(p, { momentumBuffer: buf });
        }
        be.sgdStep(
          {
            p: p.data as Float32Array,
            g: p.grad.data as Float32Array,
            buf: buf === null ? null : (buf.data as Float32Array),
          },
          {
            lr: g.lr,
            momentum: g.momentum,
            dampening: g.dampening,
            weightDecay: g.weightDecay,
            nesterov: g.nesterov,
            firstStep,
          },
        );
      }
    }
  }
}
