/**
 * Models that more than one study uses: the multi-task network base (`MultiTaskNetwork`) and the
 * shared trunk plus one head per task (`MultiTaskModel`), which transfer fine-tunes and multitask
 * trains. The model zoo (`zoo/`: ResNet, MobileNet, ViT, BERT, audio CNNs with their reference
 * implementations' state-dict names) is its own entry point, exported as `polytask/models`, so
 * that the studies that import this module do not load it.
 *
 * @example
 * import { MultiTaskModel } from '../models/index.js';
 * const model = new MultiTaskModel(trunk, { left: new nn.Linear(64, 10), right: new nn.Linear(64, 10) });
 */
export { MultiTaskNetwork, type MultiTaskOutput } from './network.js';
export { MultiTaskModel } from './hard-sharing.js';
