// The hand-written stage of examples/e2e-case.yaml: a quadrant's probabilities → whether the point
// lies on the diagonal quadrants (1 and 3, where x1 and x2 have opposite signs: class 1) or not.
import { tensor } from 'polytask';

/** [4, 2]: quadrants 0 and 2 → class 0, quadrants 1 and 3 → class 1. */
const DIAGONAL = tensor([
  [1, 0],
  [0, 1],
  [1, 0],
  [0, 1],
]);

/** [B, 4] quadrant probabilities → [B, 2] class probabilities (a matrix product: differentiable). */
export function diagonal(p) {
  return p.matmul(DIAGONAL);
}
