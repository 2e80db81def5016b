/**
 * The declared limits (`core/size-limits`) applied to a training config before any data is read
 * or anything is allocated: epochs, steps, and the number of classes a `data.classes` list selects.
 *
 * @example
 * checkTrainingConfig(config); // throws a ValueError naming training.epochs for --epochs 1e12
 */
import { ValueError } from '../core/errors.js';
import { checkDeclared, sizeLimits } from '../core/size-limits.js';

/** The parts of a training config that set sizes. */
export interface SizedConfig {
  data: { classes?: readonly number[] | undefined };
  training: { epochs: number; maxSteps?: number | undefined; checkpointEverySteps?: number | undefined };
}

/**
 * Refuses epochs, steps or a class list beyond the limits.
 *
 * @example
 * checkTrainingConfig({ data: {}, training: { epochs: 3 } });
 */
export function checkTrainingConfig(config: SizedConfig): void {
  const limits = sizeLimits();
  checkDeclared('training.epochs', 'epochs', config.training.epochs, limits);
  if (config.training.maxSteps !== undefined)
    checkDeclared('training.maxSteps', 'steps', config.training.maxSteps, limits);
  if (config.training.checkpointEverySteps !== undefined)
    checkDeclared('training.checkpointEverySteps', 'steps', config.training.checkpointEverySteps, limits);
  if (config.data.classes !== undefined) {
    checkDeclared('data.classes', 'classes', config.data.classes.length, limits);
    const twice = config.data.classes.find((c, i) => config.data.classes!.indexOf(c) !== i);
    if (twice !== undefined)
      throw new ValueError(
        'data.classes',
        `class ${twice} is listed twice (each class becomes one output of the model)`,
      );
    for (const c of config.data.classes) checkDeclared('data.classes', 'classes', c + 1, limits);
  }
}
