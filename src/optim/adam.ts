/**
 * Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay: p ← p·(1 − lr·wd)
 * before the Adam update), PyTorch's formulas with bias-corrected moments:
 * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 *
 * @example
 * const opt = new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
import { getBackend } from '../backend/registry.js';
import { zeros, type Tensor } from '../tensor/index.js';
import { Optimizer, checkGrad, checkRange, type ParamsArg } from './optimizer.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr: number;
  /** Decay rates of the first and second moments. Default [0.9, 0.999]. */
  betas: [number, number];
  /** Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
}

type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor };

/** Adam with L2 weight decay. @example new Adam(model.parameters(), { lr: 3e-4, betas: [0.9, 0.98] }); */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** Whether weight decay is decoupled from the gradient (AdamW). */
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...opts });
  }

  protected checkOptions(o: AdamOptions): void {
    const name = this.constructor.name;
    checkRange(name, 'lr', o.lr);
    checkRange(name, 'betas[0]', o.betas[0], true);
    checkRange(name, 'betas[1]', o.betas[1], true);
    checkRange(name, 'eps', o.eps);
    checkRange(name, 'weightDecay', o.weightDecay);
  }

  step(): void {
    const be = getBackend();
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        checkGrad(this.constructor.name, p);
        let st = this.state.get(p);
        if (st === undefined) {
          st = { step: 0, expAvg: zeros(p.shape), expAvgSq: zeros(p.shape) };
          this.state.set(p, st);
        }
        st.step += 1;
        be.adamStep(
          {
            p: p.data as Float32Array,
            g: p.grad.data as Float32Array,
            m: st.expAvg.data as Float32Array,
            v: st.expAvgSq.data as Float32Array,
          },
          {
            lr: g.lr,
            beta1: g.betas[0],
            beta2: g.betas[1],
            eps: g.eps,
            weightDecay: g.weightDecay,
            decoupled: this.decoupled,
            step: st.step,
          },
        );
      }
    }
  }
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter); weightDecay defaults to 1e-2 as in PyTorch.
 *
 * @example
 * new AdamW([{ params: decay, weightDecay: 0.05 }, { params: noDecay, weightDecay: 0 }], { lr: 1e-3 });
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: ParamsArg<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
